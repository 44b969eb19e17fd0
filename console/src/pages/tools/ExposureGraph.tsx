// The exposure map's graph: the internet on the left, one node per exposed instance port on the
// right (instance:port; an IPv6 row's node names its address: instance[address]:port, so it is never
// merged with the IPv4 row of the same port), an edge between them for each DescribeExposure row, node and edge colored
// by the row's risk level. Clicking an edge or a port node opens the rule that opens it on its
// group's rules page. ECharts (its modular build: the graph series, the tooltip and the aria
// description, on canvas) is loaded with this file only, which the exposure page loads lazily.
// The table beside it carries the same links for the keyboard and screen readers.
import { useEffect, useRef } from 'react';
import { use as registerEcharts, init, type ComposeOption } from 'echarts/core';
import { GraphChart, type GraphSeriesOption } from 'echarts/charts';
import { AriaComponent, TooltipComponent, type AriaComponentOption, type TooltipComponentOption } from 'echarts/components';
import { CanvasRenderer } from 'echarts/renderers';
import { useNavigate } from 'react-router';
import { useT } from '../../i18n/index.tsx';
import { useRegionLink } from '../../region.ts';
import { portText, RISK_COLOR, RISK_LABEL, rulePath, type WireExposure } from './shared.ts';

registerEcharts([GraphChart, AriaComponent, TooltipComponent, CanvasRenderer]);

type Option = ComposeOption<GraphSeriesOption | AriaComponentOption | TooltipComponentOption>;

const ROW = 34;

/** The tooltip is HTML: ids and CIDRs are plain text. */
function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

interface NodeData { name: string; x: number; y: number; itemStyle: { color: string }; symbolSize: number; label: object; tooltip?: object }

export default function ExposureGraph({ rows }: { rows: WireExposure[] }) {
  const t = useT();
  const link = useRegionLink();
  const navigate = useNavigate();
  const el = useRef<HTMLDivElement>(null);
  const height = Math.max(220, rows.length * ROW + 60);
  const description = t('tools.exposure.graphLabel', { count: rows.length });

  useEffect(() => {
    const box = el.current;
    if (box === null) return undefined;
    const chart = init(box, undefined, { renderer: 'canvas' });
    const internet = t('tools.exposure.internet');
    const targets = new Map<string, string>();
    const nodes: NodeData[] = [{
      name: internet, x: 0, y: (rows.length - 1) * ROW / 2, symbolSize: 46, itemStyle: { color: '#0958d9' },
      label: { show: true, position: 'left', color: '#000' },
    }];
    const edges: Array<{ source: string; target: string; lineStyle: { color: string; width: number } }> = [];
    const tips = new Map<string, string>();
    rows.forEach((r, i) => {
      const name = `${r.InstanceId}${r.Ipv6Address !== undefined ? `[${r.Ipv6Address}]` : ''}:${portText(r.PortRange, t('tools.allPorts'))}/${r.IpProtocol}`;
      const first = r.SecurityGroupRules.SecurityGroupRule[0];
      const target = first !== undefined ? link(rulePath(first.SecurityGroupId, first.SecurityGroupRuleId, 'ingress')) : undefined;
      if (target !== undefined) targets.set(name, target);
      const risk = t(RISK_LABEL[r.RiskLevel]);
      nodes.push({
        name, x: 400, y: i * ROW, symbolSize: 14, itemStyle: { color: RISK_COLOR[r.RiskLevel] },
        label: { show: true, position: 'right', color: '#000' },
      });
      tips.set(name, `${r.SourceCidrIps.SourceCidrIp.join(', ')} · ${risk}`);
      edges.push({
        source: internet, target: name,
        lineStyle: { color: RISK_COLOR[r.RiskLevel], width: r.RiskLevel === 'high' ? 3 : 2 },
      });
    });
    const option: Option = {
      aria: { enabled: true, label: { description } },
      tooltip: { trigger: 'item' },
      animation: false,
      series: [{
        // an IPv6 node's label (instance[address]:port/protocol) needs more room on the right
        type: 'graph', layout: 'none', roam: true, left: 140, right: rows.some((r) => r.Ipv6Address !== undefined) ? 440 : 320, top: 30, bottom: 30,
        edgeSymbol: ['none', 'arrow'], edgeSymbolSize: 8,
        data: nodes, links: edges,
        tooltip: {
          formatter: (p: unknown) => {
            const one = (Array.isArray(p) ? p[0] : p) as { dataType?: string; name?: string; data?: { target?: string } } | undefined;
            const target = (one?.dataType === 'edge' ? one.data?.target : one?.name) ?? '';
            const tip = tips.get(target);
            return tip !== undefined ? `${escapeHtml(target)}<br/>${escapeHtml(tip)}` : escapeHtml(target);
          },
        },
        emphasis: { focus: 'adjacency' },
      }],
    };
    chart.setOption(option);
    chart.on('click', (p) => {
      const d = p.data as { target?: string; name?: string } | undefined;
      const name = p.dataType === 'edge' ? d?.target : d?.name;
      const to = name !== undefined ? targets.get(name) : undefined;
      if (to !== undefined) void navigate(to);
    });
    const resize = () => chart.resize();
    window.addEventListener('resize', resize);
    return () => { window.removeEventListener('resize', resize); chart.dispose(); };
  }, [rows, t, link, navigate, description]);

  return <div ref={el} role="img" aria-label={description} data-testid="exposure-graph" style={{ width: '100%', height }} />;
}
