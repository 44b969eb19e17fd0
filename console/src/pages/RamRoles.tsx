// PLACEHOLDER (shell): /console/ram/roles — the page engineer replaces this file with the real page.
import { Placeholder } from '../components/Placeholder.tsx';

export default function RamRoles() {
  return <Placeholder title="nav.ramRoles" />;
}
