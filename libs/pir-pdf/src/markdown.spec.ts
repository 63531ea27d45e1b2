import { renderMarkdown } from './markdown';

describe('renderMarkdown', () => {
  it('renders Markdown formatting', () => {
    const html = renderMarkdown('# Heading\n\n**bold** and *em*\n\n- one\n- two\n\n[docs](https://example.com/x)');
    expect(html).toContain('<h3>Heading</h3>');
    expect(html).toContain('<strong>bold</strong>');
    expect(html).toContain('<li>one</li>');
    expect(html).toContain('<a href="https://example.com/x">docs</a>');
  });

  it('shows raw HTML as text instead of passing it through', () => {
    const html = renderMarkdown('<script>alert(1)</script>\n\ntext <b onclick="x()">b</b> <iframe src="https://e.invalid"></iframe>');
    expect(html).not.toMatch(/<script|<b |<iframe/i);
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html).toContain('&lt;iframe');
  });

  it('never emits an image or a fetchable reference', () => {
    const html = renderMarkdown('![diagram](http://127.0.0.1:9/x.png) and ![](https://e.invalid/y.png)');
    expect(html).not.toMatch(/<img|src=/i);
    expect(html).toContain('[image: diagram]');
  });

  it('drops javascript: and data: links', () => {
    const html = renderMarkdown('[click](javascript:alert(1)) [d](data:text/html,hi) [ok](mailto:a@b.example)');
    expect(html).not.toMatch(/javascript:|data:text/i);
    expect(html).toContain('href="mailto:a@b.example"');
  });
});
