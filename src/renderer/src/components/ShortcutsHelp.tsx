import { SHORTCUTS } from '@shared/shortcuts'
import { Overlay } from './Overlay'

export function ShortcutsHelp(): React.JSX.Element {
  return (
    <Overlay title="Keyboard shortcuts">
      <table className="shortcuts">
        <tbody>
          {SHORTCUTS.map((s) => (
            <tr key={s.keys}>
              <td>
                <kbd>{s.keys}</kbd>
              </td>
              <td>{s.what}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <p className="muted">Every change is saved the moment you make it, with its history; undo survives a restart.</p>
    </Overlay>
  )
}
