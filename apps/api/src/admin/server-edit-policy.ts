/** What server edits through the API may declare (`API_ALLOW_STDIO_FROM_CONSOLE`), an injectable token for the controller. */
export class ServerEditPolicy {
  constructor(readonly allowStdio: boolean) {}
}
