/** A number on screen: its text, or "—" with a title saying why it is unknown. */
export function Num({ text, why, how, testId }: { text: string | undefined; why: string; how?: string; testId?: string }) {
  if (text === undefined) return <span className="num unknown" title={why} data-testid={testId}>—</span>;
  return <span className="num" title={how} data-testid={testId}>{text}</span>;
}
