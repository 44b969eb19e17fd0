// PLACEHOLDER (shell): /console/instances — the page engineer replaces this file with the real page.
import { Placeholder } from '../components/Placeholder.tsx';

export default function Instances() {
  return <Placeholder title="nav.instances" />;
}
