// The orch web console: one page, hash routes, plain DOM. Every data call posts an ECS action's JSON to
// api/ecs/<Action> (the ECS API's own table and errors) with the session cookie and its CSRF token; api/events
// (server-sent events) says when the cluster changed, and the page shown refreshes its data without a reload.

const $ = (selector) => document.querySelector(selector);
let session = null;
let cluster = localStorage.getItem('orch.cluster') || '';
let current = null; // the page shown: { refresh() , dispose() }
let events = null;

// ---- DOM helpers: text only goes in as text (no innerHTML), so nothing the cluster holds can become markup.
function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith('on')) el.addEventListener(k.slice(2), v);
    else if (k === 'class') el.className = v;
    else if (k === 'style') el.style.cssText = v; // through the CSSOM: the CSP (style-src 'self') refuses style attributes
    else el.setAttribute(k, v === true ? '' : v);
  }
  for (const c of children.flat(Infinity)) if (c !== null && c !== undefined && c !== false) el.append(c instanceof Node ? c : String(c));
  return el;
}
// replaceChildren, but skipping what a condition left out (null, false) instead of writing "null".
function fill(el, ...children) { el.replaceChildren(...children.flat(Infinity).filter((c) => c !== null && c !== undefined && c !== false)); }
const short = (arn) => (arn || '').split('/').pop();
const time = (s) => (s ? new Date(s * 1000).toLocaleString() : '');
const status = (s) => h('span', { class: `status ${s || ''}` }, s || '');
const table = (heads, rows, label) => h('div', { class: 'table-wrap' },
  h('table', { 'aria-label': label }, h('thead', {}, h('tr', {}, heads.map((x) => h('th', { scope: 'col' }, x)))),
    h('tbody', {}, rows.length ? rows : h('tr', {}, h('td', { colspan: heads.length, class: 'muted' }, 'None.')))));
function bar(used, total, label) {
  const pct = total > 0 ? Math.min(100, Math.round((used / total) * 100)) : 0;
  return h('div', {},
    h('div', { class: `bar${pct >= 90 ? ' high' : ''}`, role: 'meter', 'aria-valuemin': 0, 'aria-valuemax': total, 'aria-valuenow': used, 'aria-label': label },
      h('span', { style: `width:${pct}%` })),
    h('div', { class: 'barlabel' }, `${used} / ${total} ${label.split(' ').pop()} (${pct}%)`));
}
function toast(text) {
  const t = $('#toast');
  t.textContent = text;
  t.classList.add('show');
  clearTimeout(toast.timer);
  toast.timer = setTimeout(() => t.classList.remove('show'), 3500);
}
const writable = () => session && !session.readOnly;

// ---- The API.
class ApiError extends Error {
  constructor(type, message) { super(message || type); this.type = type; }
}
async function call(path, { method = 'GET', body } = {}) {
  const headers = { 'content-type': 'application/json' };
  if (method !== 'GET' && session) headers['X-Orch-Csrf'] = session.csrfToken;
  const r = await fetch(`api/${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), credentials: 'same-origin' });
  const text = r.status === 204 ? '' : await r.text();
  let json = {};
  try { json = text ? JSON.parse(text) : {}; } catch { json = { message: text.slice(0, 300) }; }
  if (r.status === 401 && path !== 'login') { showSignIn('Your session ended; sign in again.'); throw new ApiError('SessionEnded', 'Signed out.'); }
  if (!r.ok) throw new ApiError(json.__type || `HTTP ${r.status}`, json.message);
  return json;
}
const ecs = (action, body = {}) => call(`ecs/${action}`, { method: 'POST', body });
const inCluster = (body = {}) => ({ cluster, ...body });

async function describeAllTasks(desiredStatus) {
  const arns = [];
  let nextToken;
  for (let page = 0; page < 10; page++) {
    const r = await ecs('ListTasks', inCluster({ desiredStatus, nextToken, maxResults: 100 }));
    arns.push(...r.taskArns);
    if (!(nextToken = r.nextToken)) break;
  }
  const tasks = [];
  for (let i = 0; i < arns.length; i += 100) tasks.push(...(await ecs('DescribeTasks', inCluster({ tasks: arns.slice(i, i + 100) }))).tasks);
  return tasks;
}
async function describeInstances() {
  const list = await ecs('ListContainerInstances', inCluster({ maxResults: 100 }));
  if (!list.containerInstanceArns.length) return [];
  return (await ecs('DescribeContainerInstances', inCluster({ containerInstances: list.containerInstanceArns, include: ['CONTAINER_INSTANCE_HEALTH'] }))).containerInstances;
}
async function describeServices() {
  const list = await ecs('ListServices', inCluster({ maxResults: 100 }));
  if (!list.serviceArns.length) return [];
  return (await ecs('DescribeServices', inCluster({ services: list.serviceArns.slice(0, 10) }))).services
    .concat(list.serviceArns.length > 10 ? (await ecs('DescribeServices', inCluster({ services: list.serviceArns.slice(10, 20) }))).services : []);
}
const resource = (list, name) => (list || []).find((r) => r.name === name)?.integerValue ?? 0;

// A button that runs an action, shows its error, and is absent for a read-only key.
function actionButton(text, run, cls = '') {
  if (!writable()) return null;
  const b = h('button', { type: 'button', class: cls }, text);
  b.addEventListener('click', async () => {
    b.disabled = true;
    try { await run(); } catch (e) { if (!(e instanceof ApiError && e.type === 'SessionEnded')) toast(`${e.type || 'Error'}: ${e.message}`); } finally { b.disabled = false; }
  });
  return b;
}

// ---- Pages. Each builds its fixed parts once (forms keep what is typed) and fills `live` on every refresh.
const pages = {
  async overview(view) {
    view.append(h('h1', {}, `Cluster ${cluster}`));
    const live = view.appendChild(h('div'));
    return async () => {
      const [clusters, instances, services] = await Promise.all([
        ecs('DescribeClusters', { clusters: [cluster], include: ['STATISTICS'] }), describeInstances(), describeServices()]);
      const c = clusters.clusters[0] || {};
      const sum = (key, name) => instances.reduce((n, i) => n + resource(i[key], name), 0);
      const cpu = sum('registeredResources', 'CPU');
      const mem = sum('registeredResources', 'MEMORY');
      const events = services.flatMap((s) => (s.events || []).slice(0, 5).map((e) => ({ ...e, service: s.serviceName })))
        .sort((a, b) => b.createdAt - a.createdAt).slice(0, 8);
      fill(live, 
        h('div', { class: 'grid' },
          h('div', { class: 'card' }, h('div', { class: 'muted' }, 'Container instances'), h('div', { class: 'stat', 'data-testid': 'instance-count' }, String(c.registeredContainerInstancesCount ?? instances.length)),
            h('div', { class: 'muted' }, `${instances.filter((i) => i.agentConnected).length} connected`)),
          h('div', { class: 'card' }, h('div', { class: 'muted' }, 'Tasks'), h('div', { class: 'stat' }, `${c.runningTasksCount ?? 0} running`),
            h('div', { class: 'muted' }, `${c.pendingTasksCount ?? 0} pending`)),
          h('div', { class: 'card' }, h('div', { class: 'muted' }, 'Services'), h('div', { class: 'stat' }, String(c.activeServicesCount ?? services.length))),
          h('div', { class: 'card' }, h('div', { class: 'muted' }, 'CPU reserved'), bar(cpu - sum('remainingResources', 'CPU'), cpu, 'CPU units'),
            h('div', { class: 'muted' }, 'Memory reserved'), bar(mem - sum('remainingResources', 'MEMORY'), mem, 'memory MiB'))),
        h('h2', {}, 'Container instances'),
        instanceTable(instances, false),
        h('h2', {}, 'Services'),
        serviceTable(services),
        h('h2', {}, 'Recent service events'),
        table(['When', 'Service', 'Message'], events.map((e) => h('tr', {}, h('td', {}, time(e.createdAt)), h('td', {}, e.service), h('td', {}, e.message))), 'Recent events'));
    };
  },

  async instances(view) {
    view.append(h('h1', {}, 'Container instances'));
    const live = view.appendChild(h('div'));
    return async () => fill(live, instanceTable(await describeInstances(), true));
  },

  // One instance: what `orch instance describe` shows (DescribeContainerInstances' registered and remaining
  // resources, attributes) and the tasks it runs, linked.
  async instance(view, id) {
    view.append(h('h1', {}, `Instance ${id}`));
    const live = view.appendChild(h('div'));
    return async () => {
      const r = await ecs('DescribeContainerInstances', inCluster({ containerInstances: [id], include: ['CONTAINER_INSTANCE_HEALTH'] }));
      const i = r.containerInstances[0];
      if (!i) { fill(live, h('p', { class: 'error', role: 'alert' }, `${r.failures?.[0]?.reason || 'MISSING'}: no instance ${id} in cluster ${cluster}`)); return; }
      const list = await ecs('ListTasks', inCluster({ containerInstance: i.containerInstanceArn, maxResults: 100 }));
      const tasks = list.taskArns.length ? (await ecs('DescribeTasks', inCluster({ tasks: list.taskArns }))).tasks : [];
      const has = (n) => (i.registeredResources || []).some((x) => x.name === n);
      const freeOf = (n) => `${resource(i.remainingResources, n)} / ${resource(i.registeredResources, n)}`;
      const set = (n) => ((i.remainingResources || []).find((x) => x.name === n)?.stringSetValue || []).join(', ') || 'none';
      const row = (k, v, testid) => [h('dt', {}, k), h('dd', testid ? { 'data-testid': testid } : {}, v)];
      fill(live,
        h('dl', { class: 'kv card', 'data-testid': 'instance-details' },
          row('Status', [status(i.status), i.statusReason ? ` ${i.statusReason}` : '']),
          row('Agent', `${i.agentConnected ? 'connected' : 'disconnected'} ${i.versionInfo?.agentVersion || ''}`),
          row('Docker', i.versionInfo?.dockerVersion || ''),
          row('Registered', time(i.registeredAt)),
          row('Tasks', `${i.runningTasksCount} running, ${i.pendingTasksCount} pending`),
          row('CPU free / total', freeOf('CPU')),
          row('Memory free / total', freeOf('MEMORY')),
          row('Ports in use (TCP)', set('PORTS'), 'ports-tcp'),
          row('Ports in use (UDP)', set('PORTS_UDP'), 'ports-udp'),
          has('PORTS_DYNAMIC') ? row('Dynamic ports free (TCP)', freeOf('PORTS_DYNAMIC'), 'dynamic-tcp') : null,
          has('PORTS_DYNAMIC_UDP') ? row('Dynamic ports free (UDP)', freeOf('PORTS_DYNAMIC_UDP')) : null,
          has('AWSVPC_TASKS') ? row('awsvpc tasks free', freeOf('AWSVPC_TASKS'), 'awsvpc-free') : null,
          has('GPU') ? row('GPUs free', set('GPU')) : null),
        h('p', {}, actionButton(i.status === 'ACTIVE' ? 'Drain' : 'Activate', async () => {
          await ecs('UpdateContainerInstancesState', inCluster({ containerInstances: [i.containerInstanceArn], status: i.status === 'ACTIVE' ? 'DRAINING' : 'ACTIVE' }));
          refreshSoon();
        }, 'secondary')),
        h('h2', {}, 'Running tasks'), taskTable(tasks),
        h('h2', {}, 'Attributes'),
        table(['Name', 'Value'], [...(i.attributes || [])].sort((a, b) => (a.name < b.name ? -1 : 1))
          .map((a) => h('tr', {}, h('td', {}, a.name), h('td', {}, a.value ?? ''))), 'Attributes'));
    };
  },

  async tasks(view) {
    view.append(h('h1', {}, 'Tasks'));
    const filter = h('form', { class: 'inline', role: 'search', onsubmit: (e) => e.preventDefault() },
      h('div', {}, h('label', { for: 'task-status' }, 'Desired status'),
        h('select', { id: 'task-status' }, h('option', { value: 'RUNNING' }, 'RUNNING'), h('option', { value: 'STOPPED' }, 'STOPPED'))),
      h('div', {}, h('label', { for: 'task-filter' }, 'Filter'), h('input', { id: 'task-filter', placeholder: 'family, group, status, id' })));
    const live = h('div');
    view.append(filter, live);
    let refresh;
    filter.addEventListener('input', () => refresh());
    filter.addEventListener('change', () => refresh());
    return (refresh = async () => {
      const desired = $('#task-status').value;
      const text = $('#task-filter').value.trim().toLowerCase();
      const tasks = (await describeAllTasks(desired))
        .filter((t) => !text || [t.taskArn, t.taskDefinitionArn, t.group, t.lastStatus].some((x) => (x || '').toLowerCase().includes(text)))
        .sort((a, b) => (b.createdAt || 0) - (a.createdAt || 0));
      fill(live, taskTable(tasks));
    });
  },

  async task(view, id) {
    view.append(h('h1', {}, `Task ${id}`));
    const controls = h('div', { class: 'actions' });
    const live = h('div');
    const logs = h('pre', { id: 'logs', 'aria-label': 'Task logs', tabindex: 0 });
    const logError = h('p', { class: 'error', role: 'alert' });
    let source = null;
    const follow = h('button', { type: 'button', class: 'secondary', id: 'follow-logs' }, 'Follow logs');
    follow.addEventListener('click', () => {
      if (source) { source.close(); source = null; follow.textContent = 'Follow logs'; return; }
      logs.textContent = '';
      logError.textContent = '';
      source = new EventSource(`api/task-logs?cluster=${encodeURIComponent(cluster)}&task=${encodeURIComponent(id)}`);
      follow.textContent = 'Stop following';
      source.addEventListener('line', (e) => {
        const line = JSON.parse(e.data);
        const atEnd = logs.scrollTop + logs.clientHeight >= logs.scrollHeight - 4;
        logs.append(`${line.container} | ${line.text}${line.text.endsWith('\n') ? '' : '\n'}`);
        while (logs.childNodes.length > 2000) logs.firstChild.remove();
        if (atEnd) logs.scrollTop = logs.scrollHeight;
      });
      const end = (message) => { if (source) source.close(); source = null; follow.textContent = 'Follow logs'; if (message) logError.textContent = message; };
      source.addEventListener('end', () => end(''));
      source.addEventListener('failed', (e) => end(JSON.parse(e.data).message));
      source.onerror = () => end(source && source.readyState === EventSource.CLOSED ? 'The log stream was refused or ended.' : '');
    });
    const stats = h('div', { 'aria-live': 'polite' });
    const statsButton = h('button', { type: 'button', class: 'secondary' }, 'Show stats');
    statsButton.addEventListener('click', async () => {
      try {
        const s = await call(`task-stats?cluster=${encodeURIComponent(cluster)}&task=${encodeURIComponent(id)}`);
        fill(stats, table(['Container', 'CPU %', 'Memory', 'Network rx/tx'], s.containers.map((c) => h('tr', {},
          h('td', {}, c.name), h('td', {}, c.cpuPercent.toFixed(1)), h('td', {}, `${(c.memoryUsedBytes / 1048576).toFixed(1)} / ${(c.memoryLimitBytes / 1048576).toFixed(0)} MiB`),
          h('td', {}, `${c.networkRxBytes} / ${c.networkTxBytes} B`))), 'Task stats'),
        h('p', { class: 'muted' }, s.sampledAt ? `Sampled ${new Date(s.sampledAt).toLocaleTimeString()}` : 'No sample yet.'));
      } catch (e) { fill(stats, h('p', { class: 'error' }, e.message)); }
    });
    view.append(controls, live, h('h2', {}, 'Stats'), statsButton, stats);
    if (writable()) view.append(h('h2', {}, 'Logs'), h('div', { class: 'actions' }, follow), logError, logs);
    current.dispose = () => source && source.close();
    return async () => {
      const t = (await ecs('DescribeTasks', inCluster({ tasks: [id] }))).tasks[0];
      if (!t) { fill(live, h('p', { class: 'error' }, 'Task not found.')); return; }
      const ev = await call(`task-events?cluster=${encodeURIComponent(cluster)}&task=${encodeURIComponent(id)}`).catch(() => ({ events: [] }));
      fill(controls, t.lastStatus !== 'STOPPED' && t.desiredStatus !== 'STOPPED'
        ? actionButton('Stop task', async () => { await ecs('StopTask', inCluster({ task: t.taskArn, reason: 'Stopped from the console' })); toast('Stop requested'); }, 'danger') : '');
      fill(live, 
        h('dl', { class: 'kv card' },
          h('dt', {}, 'Status'), h('dd', { 'data-testid': 'task-status' }, status(t.lastStatus), ` (desired ${t.desiredStatus})`),
          h('dt', {}, 'Health'), h('dd', {}, status(t.healthStatus)),
          h('dt', {}, 'Task definition'), h('dd', {}, h('a', { href: `#/taskdefs/${short(t.taskDefinitionArn)}` }, short(t.taskDefinitionArn))),
          h('dt', {}, 'Instance'), h('dd', {}, t.containerInstanceArn ? h('a', { href: `#/instances/${short(t.containerInstanceArn)}` }, short(t.containerInstanceArn)) : 'not placed'),
          h('dt', {}, 'Group'), h('dd', {}, t.group || ''),
          h('dt', {}, 'Created'), h('dd', {}, time(t.createdAt)),
          h('dt', {}, 'Started'), h('dd', {}, time(t.startedAt)),
          t.stopCode ? [h('dt', {}, 'Stop code'), h('dd', {}, t.stopCode)] : null,
          t.stoppedReason ? [h('dt', {}, 'Stopped reason'), h('dd', {}, t.stoppedReason)] : null),
        t.lastStatus === 'PENDING' || t.lastStatus === 'PROVISIONING'
          ? h('p', { class: 'card' }, 'Why PENDING: the task is placed and waits for its agent (pulling images, starting containers); see its events below. A task no instance could take is never created: Run task shows the placement engine\u2019s per-instance reasons.') : null,
        h('h2', {}, 'Containers'),
        table(['Name', 'Image', 'Status', 'Health', 'Exit', 'Ports'], (t.containers || []).map((c) => h('tr', {},
          h('td', {}, c.name), h('td', {}, c.image || ''), h('td', {}, status(c.lastStatus)), h('td', {}, status(c.healthStatus)),
          h('td', {}, c.exitCode ?? ''), h('td', {}, portLinks(c.networkBindings || [])))), 'Containers'),
        h('h2', {}, 'Events'),
        table(['When', 'What'], ev.events.map((e) => h('tr', {}, h('td', {}, new Date(e.at).toLocaleString()), h('td', {}, e.message))), 'Task events'));
    };
  },

  async run(view) {
    view.append(h('h1', {}, 'Run a task'));
    if (!writable()) { view.append(h('p', {}, 'A read-only access key cannot run tasks.')); return async () => {}; }
    const result = h('div', { 'aria-live': 'polite' });
    const error = h('p', { class: 'error', role: 'alert', id: 'run-error' });
    const families = h('datalist', { id: 'families' });
    const form = h('form', {},
      h('label', { for: 'run-taskdef' }, 'Task definition (family, family:revision or ARN)'),
      h('input', { id: 'run-taskdef', list: 'families', required: true, spellcheck: 'false' }), families,
      h('label', { for: 'run-count' }, 'Count'), h('input', { id: 'run-count', type: 'number', min: 1, max: 10, value: 1 }),
      h('label', { for: 'run-constraint' }, 'Placement constraint (memberOf expression, optional)'), h('input', { id: 'run-constraint', placeholder: 'attribute:ecs.os-type == linux' }),
      h('label', { for: 'run-overrides' }, 'Overrides (ECS JSON, optional)'),
      h('textarea', { id: 'run-overrides', rows: 4, style: 'min-height:80px', placeholder: '{"containerOverrides":[{"name":"web","command":["echo","hi"]}]}' }),
      h('button', { type: 'submit' }, 'Run task'), error);
    form.addEventListener('submit', async (e) => {
      e.preventDefault();
      error.textContent = '';
      try {
        const body = inCluster({ taskDefinition: $('#run-taskdef').value.trim(), count: Number($('#run-count').value) || 1 });
        const constraint = $('#run-constraint').value.trim();
        if (constraint) body.placementConstraints = [{ type: 'memberOf', expression: constraint }];
        const overrides = $('#run-overrides').value.trim();
        if (overrides) { try { body.overrides = JSON.parse(overrides); } catch (x) { throw new ApiError('InvalidJson', `Overrides: ${x.message}`); } }
        const r = await ecs('RunTask', body);
        fill(result, 
          r.tasks.length ? h('p', {}, 'Started: ', r.tasks.map((t) => [h('a', { href: `#/tasks/${short(t.taskArn)}` }, short(t.taskArn)), ' '])) : '',
          r.failures.length ? [h('h2', {}, 'Why not placed'), table(['Instance', 'Reason', 'Detail'], r.failures.map((f) => h('tr', {}, h('td', {}, short(f.arn)), h('td', {}, f.reason), h('td', {}, f.detail || ''))), 'Placement failures')] : '');
      } catch (x) { error.textContent = `${x.type}: ${x.message}`; }
    });
    view.append(form, result);
    return async () => {
      const r = await ecs('ListTaskDefinitionFamilies', { status: 'ACTIVE', maxResults: 100 });
      fill(families, ...r.families.map((f) => h('option', { value: f })));
    };
  },

  async services(view) {
    view.append(h('h1', {}, 'Services'));
    const live = h('div');
    view.append(live);
    if (writable()) {
      const error = h('p', { class: 'error', role: 'alert' });
      const form = h('form', { class: 'inline', 'aria-label': 'Create a service' },
        h('div', {}, h('label', { for: 'svc-name' }, 'Name'), h('input', { id: 'svc-name', required: true })),
        h('div', {}, h('label', { for: 'svc-taskdef' }, 'Task definition'), h('input', { id: 'svc-taskdef', required: true })),
        h('div', {}, h('label', { for: 'svc-count' }, 'Desired count'), h('input', { id: 'svc-count', type: 'number', min: 0, value: 1, style: 'width:6em' })),
        h('button', { type: 'submit' }, 'Create service'));
      form.addEventListener('submit', async (e) => {
        e.preventDefault();
        error.textContent = '';
        try {
          const r = await ecs('CreateService', inCluster({ serviceName: $('#svc-name').value.trim(), taskDefinition: $('#svc-taskdef').value.trim(), desiredCount: Number($('#svc-count').value) }));
          location.hash = `#/services/${r.service.serviceName}`;
        } catch (x) { error.textContent = `${x.type}: ${x.message}`; }
      });
      view.append(h('h2', {}, 'Create a service'), form, error);
    }
    return async () => fill(live, serviceTable(await describeServices()));
  },

  async service(view, name) {
    view.append(h('h1', {}, `Service ${name}`));
    const live = h('div');
    const error = h('p', { class: 'error', role: 'alert', id: 'service-error' });
    view.append(live);
    const update = async (body, done) => {
      error.textContent = '';
      try { await ecs('UpdateService', inCluster({ service: name, ...body })); toast(done); } catch (x) { error.textContent = `${x.type}: ${x.message}`; }
    };
    if (writable()) {
      const scale = h('form', { class: 'inline', 'aria-label': 'Update the service' },
        h('div', {}, h('label', { for: 'desired-count' }, 'Desired count'), h('input', { id: 'desired-count', type: 'number', min: 0, style: 'width:6em' })),
        h('button', { type: 'submit', id: 'set-desired' }, 'Set desired count'));
      scale.addEventListener('submit', (e) => { e.preventDefault(); update({ desiredCount: Number($('#desired-count').value) }, 'Desired count updated'); });
      const redeploy = h('form', { class: 'inline', 'aria-label': 'Deploy a task definition' },
        h('div', {}, h('label', { for: 'service-taskdef' }, 'Task definition'), h('input', { id: 'service-taskdef', spellcheck: 'false' })),
        h('button', { type: 'submit' }, 'Deploy'));
      redeploy.addEventListener('submit', (e) => { e.preventDefault(); update({ taskDefinition: $('#service-taskdef').value.trim() }, 'Deployment started'); });
      view.append(h('h2', {}, 'Update'), scale, redeploy,
        h('div', { class: 'actions' },
          actionButton('Force new deployment', () => update({ forceNewDeployment: true }, 'New deployment started'), 'secondary'),
          actionButton('Delete service', async () => {
            if (!confirm(`Delete service ${name}? Its tasks are stopped.`)) return;
            await ecs('DeleteService', inCluster({ service: name, force: true }));
            location.hash = '#/services';
          }, 'danger')),
        error);
    }
    let filled = false;
    return async () => {
      const s = (await ecs('DescribeServices', inCluster({ services: [name] }))).services[0];
      if (!s) { fill(live, h('p', { class: 'error' }, 'Service not found.')); return; }
      if (!filled && $('#desired-count')) { $('#desired-count').value = s.desiredCount; $('#service-taskdef').value = short(s.taskDefinition); filled = true; }
      const tasks = (await ecs('ListTasks', inCluster({ serviceName: name, maxResults: 100 }))).taskArns;
      const described = tasks.length ? (await ecs('DescribeTasks', inCluster({ tasks }))).tasks : [];
      // Tasks the service wants but has not placed: ask the placement engine, without placing, why each instance refuses one.
      const unplaced = s.status === 'ACTIVE' && s.runningCount + s.pendingCount < s.desiredCount
        ? await call(`placement?${new URLSearchParams({ cluster, service: name })}`) : null;
      fill(live, 
        h('div', { class: 'grid' },
          ['Status', 'Desired', 'Running', 'Pending'].map((label, i) => h('div', { class: 'card' }, h('div', { class: 'muted' }, label),
            h('div', { class: 'stat', 'data-testid': `service-${label.toLowerCase()}` }, String([s.status, s.desiredCount, s.runningCount, s.pendingCount][i]))))),
        h('p', {}, 'Task definition: ', h('a', { href: `#/taskdefs/${short(s.taskDefinition)}` }, short(s.taskDefinition))),
        h('h2', {}, 'Deployments'),
        sparkline(sample(name, s)),
        table(['Status', 'Task definition', 'Desired', 'Running', 'Pending', 'Failed', 'Rollout', 'Updated'], (s.deployments || []).map((d) => h('tr', {},
          h('td', {}, status(d.status)), h('td', {}, short(d.taskDefinition)), h('td', {}, d.desiredCount), h('td', {}, d.runningCount), h('td', {}, d.pendingCount),
          h('td', {}, d.failedTasks ?? 0), h('td', {}, status(d.rolloutState), d.rolloutStateReason ? h('div', { class: 'muted' }, d.rolloutStateReason) : ''), h('td', {}, time(d.updatedAt)))), 'Deployments'),
        unplaced ? whyNotPlaced(unplaced) : null,
        h('h2', {}, 'Tasks'), taskTable(described),
        h('h2', {}, 'Events'),
        table(['When', 'Message'], (s.events || []).slice(0, 25).map((e) => h('tr', {}, h('td', {}, time(e.createdAt)), h('td', {}, e.message))), 'Service events'));
    };
  },

  async taskdefs(view, family) {
    view.append(h('h1', {}, family ? `Task definition ${family}` : 'Task definitions'));
    const live = h('div');
    view.append(live);
    if (!family && writable()) {
      const error = h('p', { class: 'error', role: 'alert', id: 'register-error' });
      const form = h('form', {},
        h('label', { for: 'taskdef-json' }, 'Task definition JSON (RegisterTaskDefinition\u2019s request)'),
        h('textarea', { id: 'taskdef-json', spellcheck: 'false', 'aria-describedby': 'register-error',
          placeholder: '{"family":"web","containerDefinitions":[{"name":"web","image":"nginx","memory":128,"essential":true}]}' }),
        error, h('button', { type: 'submit' }, 'Register'));
      form.addEventListener('submit', async (e) => {
        e.preventDefault();
        error.textContent = '';
        $('#taskdef-json').removeAttribute('aria-invalid');
        let body;
        try { body = JSON.parse($('#taskdef-json').value); } catch (x) { error.textContent = `Not JSON: ${x.message}`; $('#taskdef-json').setAttribute('aria-invalid', 'true'); return; }
        try {
          const r = await ecs('RegisterTaskDefinition', body);
          toast(`Registered ${short(r.taskDefinition.taskDefinitionArn)}`);
          location.hash = `#/taskdefs/${short(r.taskDefinition.taskDefinitionArn)}`;
        } catch (x) { error.textContent = `${x.type}: ${x.message}`; $('#taskdef-json').setAttribute('aria-invalid', 'true'); }
      });
      view.append(h('h2', {}, 'Register a task definition'), form);
    }
    return async () => {
      if (!family) {
        const r = await ecs('ListTaskDefinitionFamilies', { maxResults: 100 });
        fill(live, table(['Family'], r.families.map((f) => h('tr', {}, h('td', {}, h('a', { href: `#/taskdefs/${f}` }, f)))), 'Families'));
      } else if (!family.includes(':')) {
        const r = await ecs('ListTaskDefinitions', { familyPrefix: family, sort: 'DESC', maxResults: 100 });
        fill(live, table(['Revision'], r.taskDefinitionArns.filter((a) => short(a).split(':')[0] === family)
          .map((a) => h('tr', {}, h('td', {}, h('a', { href: `#/taskdefs/${short(a)}` }, short(a))))), 'Revisions'));
      } else {
        const r = await ecs('DescribeTaskDefinition', { taskDefinition: family });
        fill(live, 
          h('p', {}, 'Status: ', status(r.taskDefinition.status), ' \u00b7 ', h('a', { href: `#/taskdefs/${family.split(':')[0]}` }, 'all revisions'),
            writable() ? [' \u00b7 ', h('a', { href: '#/run', onclick: () => sessionStorage.setItem('orch.run', family) }, 'run it')] : ''),
          h('pre', { 'aria-label': 'Task definition JSON', tabindex: 0 }, JSON.stringify(redact(r.taskDefinition), null, 2)));
      }
    };
  },
};

// Environment values are shown as set, never as their value: a task definition is often read over a shoulder.
function redact(definition) {
  const copy = structuredClone(definition);
  for (const c of copy.containerDefinitions || []) for (const e of c.environment || []) e.value = '(hidden)';
  return copy;
}

// A binding on every address (0.0.0.0 and :: both) is one link to the console's own host; a specific address is its own.
function portLinks(bindings) {
  const seen = new Set();
  return bindings.map((binding) => {
    const any = !binding.bindIP || binding.bindIP === '0.0.0.0' || binding.bindIP === '::';
    const host = any ? location.hostname : binding.bindIP;
    const url = `http://${host.includes(':') && !host.startsWith('[') ? `[${host}]` : host}:${binding.hostPort}`;
    if (seen.has(url)) return null;
    seen.add(url);
    return h('div', {}, h('a', { href: url, target: '_blank', rel: 'noopener noreferrer', class: 'port-link' }, url), ` \u2192 ${binding.containerPort}/${binding.protocol || 'tcp'}`);
  });
}

function instanceTable(instances, withActions) {
  return table(['Instance', 'Status', 'Agent', 'CPU', 'Memory', 'Tasks', withActions ? 'Actions' : null].filter(Boolean), instances.map((i) => {
    const reg = (n) => resource(i.registeredResources, n);
    const rem = (n) => resource(i.remainingResources, n);
    const state = i.status === 'ACTIVE' ? 'DRAINING' : 'ACTIVE';
    return h('tr', { 'data-instance': short(i.containerInstanceArn) },
      h('td', {}, h('a', { href: `#/instances/${short(i.containerInstanceArn)}` }, short(i.containerInstanceArn)), h('div', { class: 'muted' }, i.ec2InstanceId || '')),
      h('td', {}, status(i.status)),
      h('td', {}, i.agentConnected ? 'connected' : 'disconnected', h('div', { class: 'muted' }, i.versionInfo?.agentVersion || '')),
      h('td', {}, bar(reg('CPU') - rem('CPU'), reg('CPU'), 'CPU units')),
      h('td', {}, bar(reg('MEMORY') - rem('MEMORY'), reg('MEMORY'), 'memory MiB')),
      h('td', {}, `${i.runningTasksCount} running, ${i.pendingTasksCount} pending`),
      withActions ? h('td', {}, actionButton(state === 'DRAINING' ? 'Drain' : 'Activate', async () => {
        await ecs('UpdateContainerInstancesState', inCluster({ containerInstances: [i.containerInstanceArn], status: state }));
        toast(`Instance ${state === 'DRAINING' ? 'draining' : 'active'}`);
        refreshSoon();
      }, 'secondary')) : null);
  }), 'Container instances');
}

// Each deployment's running count over time, sampled by this page on every refresh (each SSE change): the server
// keeps no history, so it starts when the page is opened. At most 120 samples per service.
const histories = new Map();
function sample(service, s) {
  const key = `${cluster}/${service}`;
  const list = histories.get(key) || [];
  list.push({ at: Date.now(), desired: s.desiredCount, deployments: (s.deployments || []).map((d) => ({ id: d.id, status: d.status, running: d.runningCount })) });
  if (list.length > 120) list.splice(0, list.length - 120);
  histories.set(key, list);
  return list;
}
function svg(tag, attrs = {}) {
  const el = document.createElementNS('http://www.w3.org/2000/svg', tag);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, v);
  return el;
}
function sparkline(list) {
  const w = 300, ht = 48, pad = 3;
  const ids = [...new Set(list.flatMap((x) => x.deployments.map((d) => d.id)))].slice(-3);
  const top = Math.max(1, ...list.map((x) => Math.max(x.desired, ...x.deployments.map((d) => d.running))));
  const t0 = list[0].at, span = Math.max(1, list[list.length - 1].at - t0);
  const x = (at) => (list.length === 1 ? w - pad : pad + ((at - t0) / span) * (w - 2 * pad)).toFixed(1);
  const y = (n) => (ht - pad - (n / top) * (ht - 2 * pad)).toFixed(1);
  const last = list[list.length - 1];
  const primary = last.deployments.find((d) => d.status === 'PRIMARY');
  const chart = svg('svg', { viewBox: `0 0 ${w} ${ht}`, width: w, height: ht, class: 'spark', role: 'img', 'data-testid': 'deployment-sparkline',
    'data-samples': list.length, 'data-last': primary ? primary.running : 0,
    'aria-label': `Running tasks per deployment over ${list.length} samples; primary now ${primary ? primary.running : 0} of ${last.desired}` });
  chart.append(svg('line', { x1: 0, x2: w, y1: y(last.desired), y2: y(last.desired), class: 'spark-desired' }));
  ids.forEach((id, n) => {
    const points = list.map((p) => [p.at, p.deployments.find((d) => d.id === id)]).filter(([, d]) => d).map(([at, d]) => `${x(at)},${y(d.running)}`);
    if (points.length === 1) points.push(points[0].replace(/^[^,]+/, (v) => String(Math.max(0, Number(v) - 2))));
    const status = last.deployments.find((d) => d.id === id)?.status || 'INACTIVE';
    chart.append(svg('polyline', { points: points.join(' '), class: `spark-line ${status === 'PRIMARY' ? 'primary' : `other${n}`}` }));
  });
  return h('figure', { class: 'spark-wrap' }, chart,
    h('figcaption', { class: 'muted' }, `Running tasks per deployment since this page opened (${list.length} samples; dashed: desired ${last.desired})`));
}

// The placement engine's answer for one more task (api/placement): where it would go, or each instance's reason.
function whyNotPlaced(p) {
  if (p.instance) return h('p', { class: 'card', 'data-testid': 'placement-ok' }, `A task would be placed on ${short(p.instance)} now; the scheduler places it on its next pass.`);
  return h('section', { 'data-testid': 'why-not-placed' }, h('h2', {}, 'Why not placed'),
    h('p', {}, `${p.reason || ''}: ${p.explanation || ''}`),
    table(['Instance', 'Reason', 'Detail'], p.failures.map((f) => h('tr', {},
      h('td', {}, h('a', { href: `#/instances/${short(f.arn)}` }, short(f.arn))), h('td', {}, f.reason), h('td', {}, f.detail))), 'Placement reasons'));
}

function taskTable(tasks) {
  return table(['Task', 'Definition', 'Status', 'Desired', 'Group', 'Started'], tasks.map((t) => h('tr', { 'data-task': short(t.taskArn) },
    h('td', {}, h('a', { href: `#/tasks/${short(t.taskArn)}` }, short(t.taskArn))), h('td', {}, short(t.taskDefinitionArn)),
    h('td', {}, status(t.lastStatus)), h('td', {}, t.desiredStatus), h('td', { class: 'hide-narrow' }, t.group || ''), h('td', { class: 'hide-narrow' }, time(t.startedAt)))), 'Tasks');
}

function serviceTable(services) {
  return table(['Service', 'Status', 'Desired', 'Running', 'Pending', 'Rollout'], services.map((s) => h('tr', {},
    h('td', {}, h('a', { href: `#/services/${s.serviceName}` }, s.serviceName)), h('td', {}, status(s.status)),
    h('td', {}, s.desiredCount), h('td', {}, s.runningCount), h('td', {}, s.pendingCount),
    h('td', {}, status((s.deployments || []).find((d) => d.status === 'PRIMARY')?.rolloutState)))), 'Services');
}

// ---- Routing, live refresh, sign-in.
async function route() {
  if (!session) return;
  if (current?.dispose) current.dispose();
  const [name = 'overview', arg] = location.hash.replace(/^#\/?/, '').split('/').map(decodeURIComponent);
  const page = { overview: 'overview', instances: arg ? 'instance' : 'instances', tasks: arg ? 'task' : 'tasks', run: 'run', services: arg ? 'service' : 'services', taskdefs: 'taskdefs' }[name] || 'overview';
  for (const a of document.querySelectorAll('#nav a')) {
    if (a.getAttribute('href') === `#/${name}`) a.setAttribute('aria-current', 'page'); else a.removeAttribute('aria-current');
  }
  const view = h('div', { 'data-page': page });
  $('#view').replaceChildren(view);
  current = { page };
  const me = current;
  try {
    me.refresh = await pages[page](view, arg);
    if (page === 'run' && sessionStorage.getItem('orch.run') && $('#run-taskdef')) { $('#run-taskdef').value = sessionStorage.getItem('orch.run'); sessionStorage.removeItem('orch.run'); }
    await refresh(me);
    view.setAttribute('data-ready', 'true');
  } catch (e) { if (e.type !== 'SessionEnded') view.append(h('p', { class: 'error', role: 'alert' }, `${e.type || 'Error'}: ${e.message}`)); }
}
async function refresh(page = current) {
  if (!page?.refresh || page.busy) { if (page) page.again = true; return; }
  page.busy = true;
  try { await page.refresh(); } catch (e) { if (e.type !== 'SessionEnded') toast(`${e.type || 'Error'}: ${e.message}`); } finally { page.busy = false; }
  if (page.again) { page.again = false; refresh(page); }
}
let soon;
function refreshSoon() { clearTimeout(soon); soon = setTimeout(() => refresh(), 150); }

function listen() {
  if (events) events.close();
  events = new EventSource('api/events');
  let first = true; // the stream opens with the current version: the page shown already has it
  events.addEventListener('change', () => { if (first) first = false; else refreshSoon(); });
  events.addEventListener('signedout', () => showSignIn('Your session ended; sign in again.'));
}

async function loadClusters() {
  const r = await ecs('ListClusters', { maxResults: 100 });
  const names = r.clusterArns.map(short);
  if (!names.includes(cluster)) cluster = names.includes('default') ? 'default' : names[0] || 'default';
  $('#cluster').replaceChildren(...names.map((n) => h('option', { value: n, selected: n === cluster }, n)));
}

async function signedIn(info) {
  session = info;
  $('#signin').hidden = true;
  $('#nav').hidden = false;
  $('#account').hidden = false;
  $('#who').textContent = `${info.accessKeyId}${info.readOnly ? ' (read-only)' : ''}`;
  document.body.dataset.readonly = info.readOnly;
  await loadClusters();
  listen();
  await route();
}

function showSignIn(message = '') {
  session = null;
  if (events) { events.close(); events = null; }
  if (current?.dispose) current.dispose();
  current = null;
  $('#view').replaceChildren();
  $('#nav').hidden = true;
  $('#account').hidden = true;
  $('#signin').hidden = false;
  $('#signin-error').textContent = message;
  $('#key-id').focus();
}

$('#signin-form').addEventListener('submit', async (e) => {
  e.preventDefault();
  $('#signin-error').textContent = '';
  try {
    const info = await call('login', { method: 'POST', body: { accessKeyId: $('#key-id').value.trim(), secretAccessKey: $('#key-secret').value } });
    $('#key-secret').value = '';
    await signedIn(info);
  } catch (x) { $('#signin-error').textContent = x.message; }
});
$('#signout').addEventListener('click', async () => {
  try { await call('logout', { method: 'POST' }); } catch { /* signed out either way */ }
  showSignIn('Signed out.');
});
$('#cluster').addEventListener('change', () => { cluster = $('#cluster').value; localStorage.setItem('orch.cluster', cluster); route(); });
window.addEventListener('hashchange', route);

try { await signedIn(await fetch('api/session', { credentials: 'same-origin' }).then((r) => (r.ok ? r.json() : Promise.reject(new Error('signed out'))))); } catch { showSignIn(); }
document.body.dataset.interactiveMs = Math.round(performance.now());
document.body.dataset.loaded = 'true';
