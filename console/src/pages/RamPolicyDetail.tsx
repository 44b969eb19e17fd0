// PLACEHOLDER (shell): /console/ram/policies/:type/:name — the page engineer replaces this file with the real page.
import { Placeholder } from '../components/Placeholder.tsx';

export default function RamPolicyDetail() {
  return <Placeholder title="route.ramPolicyDetail" />;
}
