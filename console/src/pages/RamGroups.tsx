// PLACEHOLDER (shell): /console/ram/groups — the page engineer replaces this file with the real page.
import { Placeholder } from '../components/Placeholder.tsx';

export default function RamGroups() {
  return <Placeholder title="nav.ramGroups" />;
}
