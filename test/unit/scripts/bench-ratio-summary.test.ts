import { describe, expect, it } from 'vitest';
import { ratioSummary } from '../../../scripts/bench/stats';

describe('the cold-init summary', () => {
  it('gives min, median and max, how many are within 1.10×, and the worst five, worst first', () => {
    const ratios: [string, number][] = [
      ['a', 0.8], ['b', 1.1], ['c', 1.3], ['d', 1.05], ['e', 1.2], ['f', 0.95], ['g', 1.11],
    ];
    expect(ratioSummary('import ×base', ratios)).toBe(
      'import ×base: min 0.80×, median 1.10×, max 1.30×; 4 of 7 within 1.10×; worst: c 1.30×, e 1.20×, g 1.11×, b 1.10×, d 1.05×',
    );
  });
});
