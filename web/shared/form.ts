/** A text field of a submitted form ('' when absent or a file). */
export function field(e: Event, name: string): string {
  const v = new FormData(e.currentTarget as HTMLFormElement).get(name);
  return typeof v === 'string' ? v : '';
}
