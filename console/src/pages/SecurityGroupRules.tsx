// PLACEHOLDER (shell): /console/security-groups/:id (rules page) — the page engineer replaces this file with the real page.
import { Placeholder } from '../components/Placeholder.tsx';

export default function SecurityGroupRules() {
  return <Placeholder title="route.securityGroupRules" />;
}
