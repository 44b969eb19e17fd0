// An address's traffic (DescribeCap's series, one point a second): two line charts on one time
// axis, bits per second above and packets per second below, each inbound and outbound. (The
// scrubbing thresholds are not drawn: at an instance type's maximum they would flatten every
// ordinary curve; the drawer states them.) ECharts (its modular build: line series, grid, legend,
// tooltip, aria, on canvas) is loaded with this file only, which the address drawer loads lazily.
// The events table beside it says what happened in text.
import { useEffect, useRef } from 'react';
import { use as registerEcharts, init, type ComposeOption, type ECharts } from 'echarts/core';
import { LineChart, type LineSeriesOption } from 'echarts/charts';
import {
  AriaComponent, GridComponent, LegendComponent, TooltipComponent,
  type AriaComponentOption, type GridComponentOption, type LegendComponentOption, type TooltipComponentOption,
} from 'echarts/components';
import { CanvasRenderer } from 'echarts/renderers';
import { useT } from '../../i18n/index.tsx';
import { formatBps, formatNumber, locale, useLang, type TrafficPoint } from '../../components/DdosParts.tsx';

registerEcharts([LineChart, AriaComponent, GridComponent, LegendComponent, TooltipComponent, CanvasRenderer]);

type Option = ComposeOption<LineSeriesOption | AriaComponentOption | GridComponentOption | LegendComponentOption | TooltipComponentOption>;

const IN = '#0958d9';
const OUT = '#531dab';

export default function TrafficChart({ points }: { points: TrafficPoint[] }) {
  const t = useT();
  const lang = useLang();
  const el = useRef<HTMLDivElement>(null);
  const chart = useRef<ECharts | undefined>(undefined);
  const peakIn = points.reduce((m, p) => Math.max(m, p.BpsIn), 0);
  const description = t('ddos.chartLabel', { n: points.length, peak: formatBps(peakIn, lang) });

  useEffect(() => {
    const box = el.current;
    if (box === null) return undefined;
    const c = init(box, undefined, { renderer: 'canvas' });
    chart.current = c;
    const resize = () => c.resize();
    window.addEventListener('resize', resize);
    return () => { window.removeEventListener('resize', resize); c.dispose(); chart.current = undefined; };
  }, []);

  useEffect(() => {
    const c = chart.current;
    if (c === undefined) return;
    const time = (ms: number) => new Date(ms).toLocaleTimeString(locale(lang));
    const xs = points.map((p) => p.Time);
    const option: Option = {
      aria: { enabled: true, label: { description } },
      animation: false,
      legend: { top: 0, textStyle: { color: '#262626' } },
      tooltip: {
        trigger: 'axis',
        valueFormatter: (v) => (typeof v === 'number' ? formatNumber(v, lang) : String(v)),
      },
      grid: [{ left: 90, right: 24, top: 40, height: 105 }, { left: 90, right: 24, top: 200, height: 105 }],
      xAxis: [
        { type: 'category', gridIndex: 0, data: xs, boundaryGap: false, axisLabel: { formatter: (v: string) => time(Number(v)), color: '#434343' } },
        { type: 'category', gridIndex: 1, data: xs, boundaryGap: false, axisLabel: { formatter: (v: string) => time(Number(v)), color: '#434343' } },
      ],
      yAxis: [
        { type: 'value', gridIndex: 0, name: t('ddos.chartBps'), axisLabel: { formatter: (v: number) => formatBps(v, lang), color: '#434343' }, nameTextStyle: { color: '#434343' } },
        { type: 'value', gridIndex: 1, name: t('ddos.chartPps'), axisLabel: { formatter: (v: number) => formatNumber(v, lang), color: '#434343' }, nameTextStyle: { color: '#434343' } },
      ],
      series: [
        { type: 'line', name: t('ddos.bpsIn'), xAxisIndex: 0, yAxisIndex: 0, showSymbol: false, data: points.map((p) => p.BpsIn), lineStyle: { color: IN }, itemStyle: { color: IN } },
        { type: 'line', name: t('ddos.bpsOut'), xAxisIndex: 0, yAxisIndex: 0, showSymbol: false, data: points.map((p) => p.BpsOut), lineStyle: { color: OUT, type: 'dotted' }, itemStyle: { color: OUT } },
        { type: 'line', name: t('ddos.ppsIn'), xAxisIndex: 1, yAxisIndex: 1, showSymbol: false, data: points.map((p) => p.PpsIn), lineStyle: { color: IN }, itemStyle: { color: IN } },
        { type: 'line', name: t('ddos.ppsOut'), xAxisIndex: 1, yAxisIndex: 1, showSymbol: false, data: points.map((p) => p.PpsOut), lineStyle: { color: OUT, type: 'dotted' }, itemStyle: { color: OUT } },
      ],
    };
    c.setOption(option, { notMerge: true });
  }, [points, t, lang, description]);

  return <div ref={el} role="img" aria-label={description} data-testid="traffic-chart" data-points={points.length} style={{ width: '100%', height: 335 }} />;
}
