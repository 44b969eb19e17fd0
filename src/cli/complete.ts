// Shell completion for the `parapet` command. `parapet completion bash|zsh` prints the script a
// shell sources; the script asks `parapet __complete <words so far>` for the candidates of the next
// word: the products, verbs and `configure`; a product's operations; an operation's parameters
// (lists as `--Name.1…`) and the command's flags; and, for the parameter just typed, the ids of the
// current region's security groups, instances or VPCs when credentials are at hand (one request,
// given up after a second).
import { call, type ClientConfig } from './client.ts';
import type { CliOperation } from './manifest.ts';

export const BASH = `# parapet completion for bash: source <(parapet completion bash)
_parapet() {
  local cur=\${COMP_WORDS[COMP_CWORD]}
  local IFS=$'\\n'
  COMPREPLY=( $(compgen -W "$(parapet __complete "\${COMP_WORDS[@]:1:COMP_CWORD-1}" 2>/dev/null)" -- "$cur") )
}
complete -o default -F _parapet parapet
`;

export const ZSH = `#compdef parapet
# parapet completion for zsh: source <(parapet completion zsh)
_parapet() {
  local -a candidates
  candidates=(\${(f)"$(parapet __complete \${words[2,CURRENT-1]} 2>/dev/null)"})
  compadd -a candidates
}
compdef _parapet parapet
`;

const FLAGS = ['--profile', '--region', '--endpoint', '--signature', '--output', '--pager', '--waiter', '--dryrun', '--help'];

/** Which listing answers a parameter's ids, and where the ids are in its answer. */
const ID_SOURCES: Record<string, { version: string; action: string; list: (r: Record<string, unknown>) => string[] }> = {
  SecurityGroupId: { version: '2014-05-26', action: 'DescribeSecurityGroups', list: (r) => ((r['SecurityGroups'] as { SecurityGroup?: Array<{ SecurityGroupId: string }> } | undefined)?.SecurityGroup ?? []).map((g) => g.SecurityGroupId) },
  InstanceId: { version: '2014-05-26', action: 'DescribeInstances', list: (r) => ((r['Instances'] as { Instance?: Array<{ InstanceId: string }> } | undefined)?.Instance ?? []).map((i) => i.InstanceId) },
  VpcId: { version: '2016-04-28', action: 'DescribeVpcs', list: (r) => ((r['Vpcs'] as { Vpc?: Array<{ VpcId: string }> } | undefined)?.Vpc ?? []).map((v) => v.VpcId) },
};

export async function candidates(words: readonly string[], ctx: {
  products: readonly string[]; verbs: readonly string[]; operations: readonly CliOperation[]; productOf(name: string): string | undefined;
  client(): Promise<{ cfg: ClientConfig; regionId: string } | undefined>;
}): Promise<string[]> {
  if (words.length === 0) return [...ctx.products, ...ctx.verbs, 'configure', 'completion'];
  const product = ctx.productOf(words[0]!);
  if (words[0] === 'completion') return words.length === 1 ? ['bash', 'zsh'] : [];
  if (product === undefined) return [];
  const ops = ctx.operations.filter((o) => o.product === product);
  if (words.length === 1) return ops.map((o) => o.action);
  const op = ops.find((o) => o.action === words[1]);
  if (op === undefined) return [];
  const last = words[words.length - 1]!;
  const param = last.startsWith('--') ? last.slice(2).split('.').pop()! : '';
  const source = ID_SOURCES[param];
  if (source !== undefined && words.length > 2) {
    const c = await ctx.client();
    if (c === undefined) return [];
    let cancel = (): void => undefined;
    const r = await Promise.race([
      call(c.cfg, source.version, source.action, { RegionId: c.regionId, PageSize: '50' }).catch(() => undefined),
      new Promise<undefined>((resolve) => { const t = setTimeout(resolve, 1000); cancel = () => { clearTimeout(t); }; }),
    ]);
    cancel();
    return r === undefined ? [] : source.list(r);
  }
  const given = new Set(words.filter((w) => w.startsWith('--')));
  const params = Object.entries(op.params).flatMap(([name, spec]) => {
    if (spec.type !== 'RepeatList') return [`--${name}`];
    if (spec.item?.type === 'Object') return Object.keys(spec.item.fields ?? {}).map((f) => `--${name}.1.${f}`);
    return [`--${name}.1`];
  });
  return [...params, ...FLAGS].filter((w) => !given.has(w));
}
