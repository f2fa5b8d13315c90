/**
 * Read-only Markdown reports (Compare with Another Savepoint…, Verify Savepoint) as virtual
 * documents of one URI scheme each; the last 20 are kept.
 */
import * as vscode from 'vscode';

export class MarkdownReports implements vscode.TextDocumentContentProvider, vscode.Disposable {
  private readonly texts = new Map<string, string>();
  private seq = 0;
  private readonly registration: vscode.Disposable;

  constructor(private readonly scheme: string) {
    this.registration = vscode.workspace.registerTextDocumentContentProvider(scheme, this);
  }

  provideTextDocumentContent(uri: vscode.Uri): string {
    return this.texts.get(uri.toString()) ?? '';
  }

  /** Opens `text` as `<title>.md` (a preview editor, focused) and returns its URI. */
  async show(title: string, text: string): Promise<vscode.Uri> {
    const uri = vscode.Uri.from({ scheme: this.scheme, path: `/${title.replace(/\//g, '-')}.md`, query: String(++this.seq) });
    this.texts.set(uri.toString(), text);
    if (this.texts.size > 20) this.texts.delete(this.texts.keys().next().value!);
    const doc = await vscode.workspace.openTextDocument(uri);
    if (doc.languageId !== 'markdown') await vscode.languages.setTextDocumentLanguage(doc, 'markdown').then(undefined, () => undefined);
    await vscode.window.showTextDocument(doc, { preview: true, preserveFocus: false });
    return uri;
  }

  dispose(): void {
    this.registration.dispose();
    this.texts.clear();
  }
}
