// The policy editor: CodeMirror 6 with JSON highlighting, line numbers and bracket matching, and a
// marker (lint diagnostic, underlined, with its message on hover) at the line and column of each
// problem the policy engine answered. Loaded lazily (LazyPolicyEditor) so CodeMirror is only in the
// chunks of the pages that edit a policy, never in the console's initial JavaScript.
import { useEffect, useMemo, useRef } from 'react';
import CodeMirror, { EditorView, type ReactCodeMirrorRef } from '@uiw/react-codemirror';
import { json } from '@codemirror/lang-json';
import { lintGutter, setDiagnostics, type Diagnostic } from '@codemirror/lint';
import type { Text } from '@codemirror/state';
import type { PolicyProblem } from './shared.tsx';

export interface PolicyEditorProps {
  value: string;
  onChange?: (v: string) => void;
  readOnly?: boolean;
  /** the accessible name of the editing area */
  label: string;
  problems?: PolicyProblem[];
  height?: string;
}

/** The document offset of a 1-based line and column (UTF-16 code units, as the engine counts), clamped to the text. */
function offsetOf(doc: Text, line: number, column: number): number {
  const l = doc.line(Math.min(Math.max(line, 1), doc.lines));
  return Math.min(l.from + Math.max(column - 1, 0), l.to);
}

export default function PolicyEditor({ value, onChange, readOnly = false, label, problems = [], height = '320px' }: PolicyEditorProps) {
  const ref = useRef<ReactCodeMirrorRef>(null);
  const extensions = useMemo(() => [
    json(), lintGutter(), EditorView.lineWrapping,
    EditorView.contentAttributes.of({ 'aria-label': label, 'data-testid': 'policy-editor' }),
  ], [label]);

  // the engine's problems as diagnostics at their positions (those without one on the first line)
  useEffect(() => {
    const view = ref.current?.view;
    if (view === undefined) return;
    const doc = view.state.doc;
    const diagnostics: Diagnostic[] = problems.map((p) => {
      const from = p.line !== undefined ? offsetOf(doc, p.line, p.column ?? 1) : 0;
      const to = Math.min(from + 1, doc.length);
      return { from, to: Math.max(to, from), severity: 'error', message: p.message };
    });
    view.dispatch(setDiagnostics(view.state, diagnostics));
  }, [problems]);

  return (
    <CodeMirror ref={ref} value={value} height={height} extensions={extensions} readOnly={readOnly} editable={!readOnly}
      onChange={onChange} basicSetup={{ lineNumbers: true, foldGutter: true, bracketMatching: true, highlightActiveLine: !readOnly }}
      style={{ border: '1px solid #d9d9d9', borderRadius: 4, fontSize: 13 }} />
  );
}
