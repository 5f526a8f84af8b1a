import { diffLines } from '../../../stacks/planning/line-diff';

describe('diffLines', () => {
  it('shows a one-line edit in a long text as one removal and one addition', () => {
    const lines = Array.from({ length: 200 }, (_, i) => `line ${i}`);
    const edited = [...lines];
    edited[120] = 'line 120 edited';
    expect(diffLines(lines.join('\n'), edited.join('\n'))).toEqual([
      { op: '-', line: 'line 120' },
      { op: '+', line: 'line 120 edited' },
    ]);
  });

  it('keeps insertions and deletions in text order', () => {
    expect(diffLines('a\nb\nc', 'a\nx\nc\nd')).toEqual([
      { op: '-', line: 'b' },
      { op: '+', line: 'x' },
      { op: '+', line: 'd' },
    ]);
  });

  it('is empty for equal text and gives up on very large values', () => {
    expect(diffLines('a\nb', 'a\nb')).toEqual([]);
    const huge = Array.from({ length: 5000 }, (_, i) => String(i)).join('\n');
    expect(diffLines(huge, `${huge}\nmore`)).toBeUndefined();
  });
});
