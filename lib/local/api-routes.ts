import { resolveIntrinsics, resolveString } from './cfn-intrinsics';
import type { CfnResource, CfnTemplate, ResolveEnv } from './cfn-template';
import type { FunctionDirectory } from './lambda-functions';

/**
 * The REST API (API Gateway v1) routes of a template: `AWS::ApiGateway::Resource` trees and
 * `AWS::ApiGateway::Method`s with AWS_PROXY Lambda integrations (and MOCK ones, which CDK uses for
 * CORS preflight). Route matching follows API Gateway: literal segments beat `{param}`, which beats
 * `{proxy+}`; a method beats ANY.
 */
export interface ApiRoute {
  apiLogicalId: string;
  method: string;
  /** The resource path with its templates, e.g. `/approvals/{id}`. */
  resourcePath: string;
  resourceId: string;
  authorizationType: string;
  integration:
    | { type: 'AWS_PROXY'; functionLogicalId: string; timeoutMs: number }
    | { type: 'MOCK'; statusCode: number; headers: Record<string, string>; body?: string };
}

export interface ApiDescription {
  routes: ApiRoute[];
  /** Stage name of the first API (requestContext.stage). */
  stageName: string;
  /** Local API id (requestContext.apiId). */
  apiId: string;
  binaryMediaTypes: string[];
  warnings: string[];
}

function refOf(node: unknown): { ref?: string; root?: string } {
  const o = node as Record<string, unknown> | undefined;
  if (o && typeof o.Ref === 'string') return { ref: o.Ref };
  const getAtt = o?.['Fn::GetAtt'];
  if (Array.isArray(getAtt) && getAtt[1] === 'RootResourceId') return { root: String(getAtt[0]) };
  return {};
}

export function apiFromTemplate(template: CfnTemplate, env: ResolveEnv, functions: FunctionDirectory): ApiDescription {
  const warnings: string[] = [];
  const resources = template.Resources;
  const apis = Object.entries(resources).filter(([, r]) => r.Type === 'AWS::ApiGateway::RestApi');
  if (apis.length > 1) warnings.push(`the template has ${apis.length} REST APIs; their routes share one local server`);
  const pathOf = (resourceRef: unknown, seen = new Set<string>()): string | undefined => {
    const { ref, root } = refOf(resourceRef);
    if (root) return '';
    if (!ref) return undefined;
    const res = resources[ref];
    if (res?.Type !== 'AWS::ApiGateway::Resource' || seen.has(ref)) return undefined;
    seen.add(ref);
    const parent = pathOf(res.Properties?.ParentId, seen);
    return parent === undefined ? undefined : `${parent}/${String(res.Properties?.PathPart)}`;
  };
  const routes: ApiRoute[] = [];
  for (const [logicalId, method] of Object.entries(resources)) {
    if (method.Type !== 'AWS::ApiGateway::Method') continue;
    const props = method.Properties ?? {};
    const apiLogicalId = refOf(props.RestApiId).ref ?? '';
    const rel = pathOf(props.ResourceId);
    if (rel === undefined) {
      warnings.push(`method ${logicalId}: cannot resolve its resource path`);
      continue;
    }
    const resourcePath = rel || '/';
    const httpMethod = String(props.HttpMethod ?? 'ANY').toUpperCase();
    const integ = (props.Integration ?? {}) as Record<string, unknown>;
    const base = {
      apiLogicalId,
      method: httpMethod,
      resourcePath,
      resourceId: resolveString(props.ResourceId, template, env),
      authorizationType: String(props.AuthorizationType ?? 'NONE'),
    };
    if (integ.Type === 'AWS_PROXY') {
      const uri = resolveString(integ.Uri, template, env);
      const fnArn = /\/functions\/(.+)\/invocations$/.exec(uri)?.[1];
      const fn = fnArn ? functions.find(fnArn) : undefined;
      if (!fn?.assetDir) {
        warnings.push(`${httpMethod} ${resourcePath}: integration ${uri} is not a bundled Lambda of this stack: not served locally`);
        continue;
      }
      routes.push({
        ...base,
        integration: {
          type: 'AWS_PROXY',
          functionLogicalId: fn.logicalId,
          timeoutMs: typeof integ.TimeoutInMillis === 'number' ? integ.TimeoutInMillis : 29_000,
        },
      });
    } else if (integ.Type === 'MOCK') {
      const responses = (resolveIntrinsics(integ.IntegrationResponses ?? [], template, env) as Array<Record<string, unknown>>) ?? [];
      const first = responses[0] ?? {};
      const headers: Record<string, string> = {};
      for (const [k, v] of Object.entries((first.ResponseParameters ?? {}) as Record<string, string>)) {
        const name = /^method\.response\.header\.(.+)$/.exec(k)?.[1];
        if (name) headers[name] = String(v).replace(/^'(.*)'$/, '$1');
      }
      const templates = (first.ResponseTemplates ?? {}) as Record<string, string>;
      const body = templates['application/json'];
      routes.push({ ...base, integration: { type: 'MOCK', statusCode: Number(first.StatusCode ?? 200), headers, ...(body ? { body } : {}) } });
    } else {
      warnings.push(`${httpMethod} ${resourcePath}: integration type ${String(integ.Type)} is not served locally`);
    }
  }
  const first = apis[0];
  const stage = Object.entries(resources).find(([, r]) => r.Type === 'AWS::ApiGateway::Stage' && (!first || refOf(r.Properties?.RestApiId).ref === first[0]));
  const stageName = stage ? String((stage[1] as CfnResource).Properties?.StageName ?? 'prod') : 'prod';
  const apiId = first ? resolveString({ Ref: first[0] }, template, env) : 'localapi00';
  const binaryMediaTypes = ((first?.[1].Properties?.BinaryMediaTypes as string[] | undefined) ?? []).map((t) => t.replace('~1', '/'));
  return { routes, stageName, apiId, binaryMediaTypes, warnings };
}

export interface RouteMatch {
  route: ApiRoute;
  pathParameters: Record<string, string> | null;
}

function specificity(route: ApiRoute): number[] {
  // Per segment: literal 3, {param} 2, {proxy+} 1; a concrete method before ANY.
  const segs = route.resourcePath.split('/').filter(Boolean);
  return [...segs.map((s) => (s.endsWith('+}') ? 1 : s.startsWith('{') ? 2 : 3)), route.method === 'ANY' ? 0 : 1];
}

function compare(a: number[], b: number[]): number {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const d = (b[i] ?? 0) - (a[i] ?? 0);
    if (d) return d;
  }
  return 0;
}

/** The route for a request path (already without the stage prefix and query) and method. */
export function matchRoute(routes: ApiRoute[], method: string, path: string): RouteMatch | undefined {
  const segs = path
    .split('/')
    .filter(Boolean)
    .map((s) => {
      try {
        return decodeURIComponent(s);
      } catch {
        return s;
      }
    });
  const candidates: RouteMatch[] = [];
  for (const route of routes) {
    if (route.method !== method && route.method !== 'ANY') continue;
    const tpl = route.resourcePath.split('/').filter(Boolean);
    const params: Record<string, string> = {};
    let ok = true;
    for (let i = 0; i < tpl.length && ok; i++) {
      const t = tpl[i]!;
      const greedy = /^\{(.+)\+\}$/.exec(t);
      if (greedy) {
        if (i >= segs.length || i !== tpl.length - 1) ok = false;
        else params[greedy[1]!] = segs.slice(i).join('/');
        break;
      }
      const seg = segs[i];
      if (seg === undefined) ok = false;
      else if (/^\{.+\}$/.test(t)) params[t.slice(1, -1)] = seg;
      else if (t !== seg) ok = false;
    }
    const greedyLast = tpl.length > 0 && /\+\}$/.test(tpl[tpl.length - 1]!);
    if (ok && !greedyLast && tpl.length !== segs.length) ok = false;
    if (ok) candidates.push({ route, pathParameters: Object.keys(params).length ? params : null });
  }
  candidates.sort((a, b) => compare(specificity(a.route), specificity(b.route)));
  return candidates[0];
}
