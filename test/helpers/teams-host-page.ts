// A stand-in for the Teams web client, for the fleet tab's browser test: a page on the bot's own
// origin that frames /tab/ and answers teams-js's postMessage protocol as Teams does. Requests
// {id, uuidAsString, func, args} get {id, uuidAsString, args}: `initialize` → the frame context
// and client type, `getContext` → the (legacy-shaped) context, `authentication.getAuthToken` →
// [true, token]. `window.setTeamsTheme('dark')` pushes a themeChange as Teams does when the user
// switches themes. `window.teamsCalls` lists the functions the tab called.
export interface HostPageOptions {
  token: string;
  tenantId: string;
  userObjectId: string;
  theme: 'default' | 'dark' | 'contrast';
}

export function teamsHostPage(options: HostPageOptions): string {
  const context = {
    theme: options.theme,
    tid: options.tenantId,
    userObjectId: options.userObjectId,
    loginHint: 'ada@contoso.com',
    userPrincipalName: 'ada@contoso.com',
    locale: 'en-gb',
    entityId: 'fleet',
    frameContext: 'content',
    hostClientType: 'web',
  };
  const script = `
    const token = ${JSON.stringify(options.token)};
    const context = ${JSON.stringify(context)};
    window.teamsCalls = [];
    const frame = () => document.getElementById('tab').contentWindow;
    window.addEventListener('message', (event) => {
      if (event.source !== frame() || event.origin !== location.origin) return;
      const request = event.data;
      if (!request || typeof request.func !== 'string') return;
      window.teamsCalls.push(request.func);
      const reply = (args) => frame().postMessage({ id: request.id, uuidAsString: request.uuidAsString, args }, location.origin);
      if (request.func === 'initialize') reply(['content', 'web']);
      else if (request.func === 'getContext') reply([context]);
      else if (request.func === 'authentication.getAuthToken') reply([true, token]);
    });
    window.setTeamsTheme = (theme) => {
      context.theme = theme;
      frame().postMessage({ func: 'themeChange', args: [theme] }, location.origin);
    };`;
  return `<!doctype html><html><head><meta charset="utf-8"><title>Teams (test host)</title></head>
<body style="margin:0"><iframe id="tab" src="/tab/" title="Fleet" style="width:1280px;height:1500px;border:0"></iframe>
<script>${script}</script></body></html>`;
}
