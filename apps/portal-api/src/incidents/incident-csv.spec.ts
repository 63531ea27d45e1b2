import { csvCell, csvRow } from './incident-csv';

describe('incident CSV cells', () => {
  it.each<[string | number | null, string]>([
    ['plain', 'plain'],
    ['=HYPERLINK("http://evil.example","x")', `"'=HYPERLINK(""http://evil.example"",""x"")"`],
    ['+1+1', `'+1+1`],
    ['-2+3', `'-2+3`],
    ['@SUM(A1)', `'@SUM(A1)`],
    ['\t=1', `'\t=1`],
    ['\r=1', `"'\r=1"`],
    ['a, b', '"a, b"'],
    ['say "hi"', '"say ""hi"""'],
    ['two\nlines', '"two\nlines"'],
    [42, '42'],
    [null, ''],
  ])('writes %j as %j', (value, cell) => {
    expect(csvCell(value)).toBe(cell);
  });

  it('leaves a negative number a number (only text can carry a formula)', () => {
    expect(csvCell(-5)).toBe('-5');
  });

  it('ends a row with CRLF (RFC 4180)', () => {
    expect(csvRow(['a', '=b', null])).toBe(`a,'=b,\r\n`);
  });
});
