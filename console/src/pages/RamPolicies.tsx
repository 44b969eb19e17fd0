// PLACEHOLDER (shell): /console/ram/policies — the page engineer replaces this file with the real page.
import { Placeholder } from '../components/Placeholder.tsx';

export default function RamPolicies() {
  return <Placeholder title="nav.ramPolicies" />;
}
