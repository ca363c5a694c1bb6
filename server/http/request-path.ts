/** The path of a request-target, without its query: what Atlas's error texts and the journal show. */
export function pathOf(url: string): string {
  // indexOf and slice, not split: this runs on every request (issue 6).
  const query = url.indexOf('?');
  return query === -1 ? url : url.slice(0, query);
}
