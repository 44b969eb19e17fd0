// PLACEHOLDER (shell): /console/tools/exposure — the page engineer replaces this file with the real page.
import { Placeholder } from '../components/Placeholder.tsx';

export default function ToolsExposure() {
  return <Placeholder title="nav.exposure" />;
}
