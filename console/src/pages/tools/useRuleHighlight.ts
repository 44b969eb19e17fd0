// The rule a link from the tools asked for (?rule=<SecurityGroupRuleId>, with ?direction= the tab it
// is on): the rules page calls this hook. It marks that rule's row, once the table renders it (an
// antd Table with rowKey="SecurityGroupRuleId" gives the row data-row-key=<id>), with a highlight
// and aria-current, and scrolls it into view; it returns the rule id and direction so the page can
// open the right tab. The mark is an attribute, not a class: antd re-renders the row's className.
// Wiring (the rules page's): `const { ruleId, direction } = useRuleHighlight();` in the page, the
// tab of `direction` (and nicType, for classic groups) active at first, and the table's page the
// one holding `ruleId`, so the row exists for the hook to mark.
import { useEffect } from 'react';
import { useSearchParams } from 'react-router';

const STYLE_ID = 'parapet-rule-highlight';
const CSS_TEXT = 'tr[data-highlighted-rule] > td { background: #fff1b8 !important; }'
  + ' tr[data-highlighted-rule] > td:first-child { box-shadow: inset 4px 0 0 #d48806; }';

function ensureStyle(): void {
  if (document.getElementById(STYLE_ID) !== null) return;
  const style = document.createElement('style');
  style.id = STYLE_ID;
  style.textContent = CSS_TEXT;
  document.head.appendChild(style);
}

export interface RuleHighlight {
  /** the rule to show, or undefined when the URL names none */
  ruleId: string | undefined;
  /** the tab it is on, when the link said */
  direction: 'ingress' | 'egress' | undefined;
}

export function useRuleHighlight(): RuleHighlight {
  const [search] = useSearchParams();
  const ruleId = search.get('rule') ?? undefined;
  const raw = search.get('direction');
  const direction = raw === 'ingress' || raw === 'egress' ? raw : undefined;

  useEffect(() => {
    if (ruleId === undefined || ruleId === '') return undefined;
    ensureStyle();
    const selector = `tr[data-row-key="${CSS.escape(ruleId)}"]`;
    let marked: Element | undefined;
    const mark = (): void => {
      const row = document.querySelector(selector);
      if (row === null || row === marked) return;
      marked = row;
      row.setAttribute('data-highlighted-rule', 'true');
      row.setAttribute('aria-current', 'true');
      row.scrollIntoView({ block: 'center' });
    };
    mark();
    // the table renders after its query answers, and again on a tab switch: mark the row when it appears
    const observer = new MutationObserver(mark);
    observer.observe(document.body, { childList: true, subtree: true });
    return () => {
      observer.disconnect();
      document.querySelectorAll('tr[data-highlighted-rule]').forEach((r) => { r.removeAttribute('data-highlighted-rule'); r.removeAttribute('aria-current'); });
    };
  }, [ruleId]);

  return { ruleId, direction };
}
