// PLACEHOLDER (shell): /console/ram/users — the page engineer replaces this file with the real page.
import { Placeholder } from '../components/Placeholder.tsx';

export default function RamUsers() {
  return <Placeholder title="nav.ramUsers" />;
}
