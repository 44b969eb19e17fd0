// PLACEHOLDER (shell): /console/security-groups — the page engineer replaces this file with the real page.
import { Placeholder } from '../components/Placeholder.tsx';

export default function SecurityGroups() {
  return <Placeholder title="nav.securityGroups" />;
}
