import { cssString, renderPirHtml } from './html';
import { samplePirModel } from './testing/sample-model';

describe('renderPirHtml', () => {
  it('escapes plain fields and lists every section in the table of contents', () => {
    const model = samplePirModel();
    model.incident.title = '<img src=x onerror=alert(1)> & "quoted"';
    const { html, meta } = renderPirHtml(model, { format: 'Letter' });
    expect(html).toContain('&lt;img src&#x3D;x onerror&#x3D;alert(1)&gt; &amp; &quot;quoted&quot;');
    expect(html).not.toContain('<img src=x');
    for (const s of model.sections) expect(html).toContain(`>${s.title}</a>`);
    expect(html).toContain('Action items</a>');
    expect(html).toContain('SLA outcomes</a>');
    expect(html).toContain('size: Letter');
    expect(meta.format).toBe('Letter');
  });

  it('keeps only inline raster logos', () => {
    const png = 'data:image/png;base64,iVBORw0KGgo=';
    expect(renderPirHtml(samplePirModel({ tenant: { name: 'A', logoDataUrl: png } })).html).toContain(`src="${png.replace(/=/g, '&#x3D;')}"`);
    for (const bad of ['https://e.invalid/logo.png', 'data:image/svg+xml;base64,PHN2Zz4=', 'javascript:alert(1)']) {
      const { html } = renderPirHtml(samplePirModel({ tenant: { name: 'A', logoDataUrl: bad } }));
      expect(html).not.toContain(bad);
    }
  });

  it('references nothing outside the document', () => {
    const { html } = renderPirHtml(samplePirModel());
    expect(html).not.toMatch(/(src|href)="(https?:)?\/\//);
    expect(html).not.toMatch(/url\((?!data:)/);
  });
});

describe('cssString (header and footer text in page-margin boxes)', () => {
  it('escapes everything but letters, digits and spaces, so a tenant name cannot leave the string or the style', () => {
    expect(cssString('Acme 2')).toBe('"Acme\\0000202"');
    expect(cssString('a"b')).toBe('"a\\000022b"');
    expect(cssString('</style><script>')).not.toMatch(/[<>/]/);
    expect(cssString('x\\ny')).toBe('"x\\00005cny"');
    expect(cssString('🚀')).toBe('"\\01f680"');
  });
});
