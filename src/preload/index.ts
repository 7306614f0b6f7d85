import { contextBridge, ipcRenderer, webUtils } from 'electron'
import { buildBridge } from './bridge'

// Only the typed bridge crosses into the page; ipcRenderer itself never does.
contextBridge.exposeInMainWorld('pokerface', buildBridge(ipcRenderer, webUtils))
