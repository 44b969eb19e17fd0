// PLACEHOLDER (shell): /console/instances/:id — the page engineer replaces this file with the real page.
import { Placeholder } from '../components/Placeholder.tsx';

export default function InstanceDetail() {
  return <Placeholder title="route.instanceDetail" />;
}
