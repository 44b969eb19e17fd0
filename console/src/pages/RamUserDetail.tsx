// PLACEHOLDER (shell): /console/ram/users/:name — the page engineer replaces this file with the real page.
import { Placeholder } from '../components/Placeholder.tsx';

export default function RamUserDetail() {
  return <Placeholder title="route.ramUserDetail" />;
}
