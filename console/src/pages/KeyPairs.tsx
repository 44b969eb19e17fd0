// PLACEHOLDER (shell): /console/key-pairs — the page engineer replaces this file with the real page.
import { Placeholder } from '../components/Placeholder.tsx';

export default function KeyPairs() {
  return <Placeholder title="nav.keyPairs" />;
}
