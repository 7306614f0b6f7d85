import { useEffect, useRef } from 'react'
import { useReviewStore } from './useReview'

/** Browsers keep a dropped folder's location secret; only the desktop app's preload can ask for it. */
export const DROP_NEEDS_PATH =
  'This browser does not tell the app where a dropped folder is on disk: type or paste its path instead ' +
  '(the desktop app opens dropped folders).'
export const DROP_NOT_A_FOLDER = 'Drop a dataset folder, not a single file.'

const carriesFiles = (e: DragEvent): boolean => !!e.dataTransfer && Array.from(e.dataTransfer.types).includes('Files')

/**
 * Opens a folder dropped anywhere on the window (the start screen mounts this). In the desktop
 * app the preload turns the dropped item into its path (webUtils.getPathForFile); in a browser
 * there is no path, and the user is told to type it.
 */
export function useFolderDrop(open: (path: string) => void): void {
  const store = useReviewStore()
  const openRef = useRef(open)
  openRef.current = open

  useEffect(() => {
    const onDragOver = (e: DragEvent): void => {
      if (!carriesFiles(e)) return
      e.preventDefault() // without this the drop navigates the page to the file
      if (e.dataTransfer) e.dataTransfer.dropEffect = 'copy'
    }
    const onDrop = (e: DragEvent): void => {
      if (!carriesFiles(e)) return
      e.preventDefault()
      const notify = (text: string): void => store.getState().notify({ kind: 'info', text })
      if (store.getState().scan) return
      const entry = e.dataTransfer?.items[0]?.webkitGetAsEntry?.()
      const file = e.dataTransfer?.files[0]
      if (!file) return
      if (entry && !entry.isDirectory) return notify(DROP_NOT_A_FOLDER)
      const path = window.pokerface?.pathForFile?.(file) ?? ''
      if (path) openRef.current(path)
      else notify(DROP_NEEDS_PATH)
    }
    window.addEventListener('dragover', onDragOver)
    window.addEventListener('drop', onDrop)
    return () => {
      window.removeEventListener('dragover', onDragOver)
      window.removeEventListener('drop', onDrop)
    }
  }, [store])
}
