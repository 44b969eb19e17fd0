// PLACEHOLDER (shell): /console/tools/explain — the page engineer replaces this file with the real page.
import { Placeholder } from '../components/Placeholder.tsx';

export default function ToolsExplain() {
  return <Placeholder title="nav.explain" />;
}
