// PLACEHOLDER (shell): /console/ram/settings — the page engineer replaces this file with the real page.
import { Placeholder } from '../components/Placeholder.tsx';

export default function RamSettings() {
  return <Placeholder title="nav.ramSettings" />;
}
