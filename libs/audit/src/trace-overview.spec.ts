import { describe, expect, it } from 'vitest';
import { OTHER_SERIES, OVERVIEW_TOP_SERIES, toSeries } from './trace-overview';

const from = new Date('2026-01-01T00:00:00.000Z');
const at = (h: number) => new Date(from.getTime() + h * 3_600_000);

describe('toSeries', () => {
  it('has every hour of the window, zeros included, oldest first', () => {
    const s = toSeries([{ hour: at(2), key: 'echo', n: 3 }], from, 4);
    expect(s.keys).toEqual(['echo']);
    expect(s.hours).toEqual([
      { hour: at(0).toISOString(), counts: { echo: 0 } },
      { hour: at(1).toISOString(), counts: { echo: 0 } },
      { hour: at(2).toISOString(), counts: { echo: 3 } },
      { hour: at(3).toISOString(), counts: { echo: 0 } },
    ]);
  });

  it(`keeps the ${OVERVIEW_TOP_SERIES - 1} busiest series and adds the rest up as ${OTHER_SERIES}`, () => {
    const rows = Array.from({ length: 12 }, (_, i) => ({ hour: at(i % 2), key: `tool_${String(i).padStart(2, '0')}`, n: i + 1 }));
    const s = toSeries(rows, from, 2);
    expect(s.keys).toHaveLength(OVERVIEW_TOP_SERIES);
    expect(s.keys.slice(0, 3)).toEqual(['tool_11', 'tool_10', 'tool_09']);
    expect(s.keys.at(-1)).toBe(OTHER_SERIES);
    // tool_00..tool_04 (1..5 calls) folded: 1+3+5 in hour 0, 2+4 in hour 1.
    expect(s.hours.map((h) => h.counts[OTHER_SERIES])).toEqual([9, 6]);
    const sum = s.hours.reduce((n, h) => n + Object.values(h.counts).reduce((a, b) => a + b, 0), 0);
    expect(sum).toBe(78);
  });
});
