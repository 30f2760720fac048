import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { request } from 'undici';
import { DEFAULT_RESOLVE_ENV, type CfnTemplate } from '../../lib/local/cfn-template';
import { apiFromTemplate, matchRoute } from '../../lib/local/api-routes';
import { startApiRouter, type ApiRouter } from '../../lib/local/api-router';
import { FunctionDirectory, type LambdaSpec } from '../../lib/local/lambda-functions';
import { LambdaHost } from '../../lib/local/lambda-host';
import { tinyLambdas, type TinyLambdas } from '../support/tiny-lambdas';

const ECHO = `exports.handler = async (event) => {
  const q = event.queryStringParameters || {};
  if (q.mode === 'throw') throw new Error('boom');
  if (q.mode === 'malformed') return { body: 'no status code' };
  if (q.mode === 'binary') return { statusCode: 201, isBase64Encoded: true, headers: { 'Content-Type': 'application/octet-stream' }, body: Buffer.from([0, 1, 2, 255]).toString('base64') };
  return { statusCode: 200, headers: { 'x-single': 'one', 'x-both': 'from-headers' }, multiValueHeaders: { 'Set-Cookie': ['a=1', 'b=2'], 'x-both': ['m1', 'm2'] }, body: JSON.stringify(event) };
};`;

const integration = (fn: string) => ({
  Type: 'AWS_PROXY',
  IntegrationHttpMethod: 'POST',
  Uri: {
    'Fn::Join': [
      '',
      ['arn:', { Ref: 'AWS::Partition' }, ':apigateway:us-east-1:lambda:path/2015-03-31/functions/', { 'Fn::GetAtt': [fn, 'Arn'] }, '/invocations'],
    ],
  },
});

const template: CfnTemplate = {
  Resources: {
    Echo0A1B2C3D: { Type: 'AWS::Lambda::Function', Properties: {} },
    Api1: { Type: 'AWS::ApiGateway::RestApi', Properties: { BinaryMediaTypes: ['application/octet-stream'] } },
    Stage1: { Type: 'AWS::ApiGateway::Stage', Properties: { RestApiId: { Ref: 'Api1' }, StageName: 'prod' } },
    Purchases: {
      Type: 'AWS::ApiGateway::Resource',
      Properties: { ParentId: { 'Fn::GetAtt': ['Api1', 'RootResourceId'] }, PathPart: 'purchases', RestApiId: { Ref: 'Api1' } },
    },
    PurchaseId: { Type: 'AWS::ApiGateway::Resource', Properties: { ParentId: { Ref: 'Purchases' }, PathPart: '{id}', RestApiId: { Ref: 'Api1' } } },
    PurchasesNew: { Type: 'AWS::ApiGateway::Resource', Properties: { ParentId: { Ref: 'Purchases' }, PathPart: 'new', RestApiId: { Ref: 'Api1' } } },
    Files: {
      Type: 'AWS::ApiGateway::Resource',
      Properties: { ParentId: { 'Fn::GetAtt': ['Api1', 'RootResourceId'] }, PathPart: 'files', RestApiId: { Ref: 'Api1' } },
    },
    FilesProxy: { Type: 'AWS::ApiGateway::Resource', Properties: { ParentId: { Ref: 'Files' }, PathPart: '{proxy+}', RestApiId: { Ref: 'Api1' } } },
    GetPurchase: {
      Type: 'AWS::ApiGateway::Method',
      Properties: {
        HttpMethod: 'GET',
        AuthorizationType: 'NONE',
        ResourceId: { Ref: 'PurchaseId' },
        RestApiId: { Ref: 'Api1' },
        Integration: integration('Echo0A1B2C3D'),
      },
    },
    AnyPurchase: {
      Type: 'AWS::ApiGateway::Method',
      Properties: {
        HttpMethod: 'ANY',
        AuthorizationType: 'NONE',
        ResourceId: { Ref: 'PurchaseId' },
        RestApiId: { Ref: 'Api1' },
        Integration: integration('Echo0A1B2C3D'),
      },
    },
    GetNew: {
      Type: 'AWS::ApiGateway::Method',
      Properties: {
        HttpMethod: 'GET',
        AuthorizationType: 'NONE',
        ResourceId: { Ref: 'PurchasesNew' },
        RestApiId: { Ref: 'Api1' },
        Integration: integration('Echo0A1B2C3D'),
      },
    },
    PostPurchases: {
      Type: 'AWS::ApiGateway::Method',
      Properties: {
        HttpMethod: 'POST',
        AuthorizationType: 'AWS_IAM',
        ResourceId: { Ref: 'Purchases' },
        RestApiId: { Ref: 'Api1' },
        Integration: integration('Echo0A1B2C3D'),
      },
    },
    AnyFiles: {
      Type: 'AWS::ApiGateway::Method',
      Properties: {
        HttpMethod: 'ANY',
        AuthorizationType: 'NONE',
        ResourceId: { Ref: 'FilesProxy' },
        RestApiId: { Ref: 'Api1' },
        Integration: integration('Echo0A1B2C3D'),
      },
    },
    Preflight: {
      Type: 'AWS::ApiGateway::Method',
      Properties: {
        HttpMethod: 'OPTIONS',
        AuthorizationType: 'NONE',
        ResourceId: { Ref: 'Purchases' },
        RestApiId: { Ref: 'Api1' },
        Integration: {
          Type: 'MOCK',
          IntegrationResponses: [{ StatusCode: '204', ResponseParameters: { 'method.response.header.Access-Control-Allow-Origin': "'*'" } }],
        },
      },
    },
  },
};

describe('the local API Gateway router', () => {
  let lambdas: TinyLambdas;
  let host: LambdaHost;
  let router: ApiRouter;
  const api = () => {
    const spec: LambdaSpec = { ...lambdas.functions[0]!.spec, runtime: 'nodejs24.x', rawEnvironment: {} };
    return apiFromTemplate(template, DEFAULT_RESOLVE_ENV, new FunctionDirectory([spec]));
  };

  beforeAll(async () => {
    lambdas = tinyLambdas({ Echo: { code: ECHO } });
    host = new LambdaHost(lambdas.functions);
    router = await startApiRouter({ api: api(), invoke: (id, ev) => host.invoke(id, ev), accountId: '123456789012' });
  });

  afterAll(async () => {
    await router.close();
    await host.close();
    lambdas.remove();
  });

  it('reads routes from the template and matches like API Gateway (literal > {param} > {proxy+}, method > ANY)', () => {
    const { routes, stageName, warnings } = api();
    expect(warnings).toEqual([]);
    expect(stageName).toBe('prod');
    expect(matchRoute(routes, 'GET', '/purchases/new')?.route.resourcePath).toBe('/purchases/new');
    expect(matchRoute(routes, 'GET', '/purchases/p1')).toMatchObject({
      route: { resourcePath: '/purchases/{id}', method: 'GET' },
      pathParameters: { id: 'p1' },
    });
    expect(matchRoute(routes, 'DELETE', '/purchases/p1')?.route.method).toBe('ANY');
    expect(matchRoute(routes, 'GET', '/files/a/b/c.txt')?.pathParameters).toEqual({ proxy: 'a/b/c.txt' });
    expect(matchRoute(routes, 'GET', '/files')).toBeUndefined();
    expect(matchRoute(routes, 'GET', '/purchases/p1/extra')).toBeUndefined();
  });

  it('builds a REST v1 proxy event: path and query parameters, headers, X-Forwarded-For, identity, body', async () => {
    const res = await request(`${router.url}/purchases/p%201?vendor=cocalc&tag=a&tag=b`, {
      method: 'GET',
      headers: { 'User-Agent': 'procure-test/1.0', 'X-Forwarded-For': '203.0.113.9', 'X-Multi': 'one' },
    });
    expect(res.statusCode).toBe(200);
    const event = (await res.body.json()) as Record<string, any>;
    expect(event).toMatchObject({
      resource: '/purchases/{id}',
      path: '/purchases/p 1',
      httpMethod: 'GET',
      queryStringParameters: { vendor: 'cocalc', tag: 'b' },
      multiValueQueryStringParameters: { vendor: ['cocalc'], tag: ['a', 'b'] },
      pathParameters: { id: 'p 1' },
      stageVariables: null,
      body: null,
      isBase64Encoded: false,
    });
    expect(event.headers['User-Agent']).toBe('procure-test/1.0');
    expect(event.headers['X-Forwarded-For']).toBe('203.0.113.9, 127.0.0.1');
    expect(event.multiValueHeaders['X-Multi']).toEqual(['one']);
    expect(event.headers['X-Forwarded-Proto']).toBe('http');
    expect(event.requestContext).toMatchObject({
      resourcePath: '/purchases/{id}',
      httpMethod: 'GET',
      path: '/prod/purchases/p 1',
      stage: 'prod',
      accountId: '123456789012',
      protocol: 'HTTP/1.1',
      identity: { sourceIp: '127.0.0.1', userAgent: 'procure-test/1.0', accessKey: null },
    });
    expect(event.requestContext.requestTime).toMatch(/^\d\d\/[A-Z][a-z]{2}\/\d{4}:\d\d:\d\d:\d\d \+0000$/);
  });

  it('writes back statusCode, headers, multiValueHeaders and body', async () => {
    const res = await request(`${router.url}/purchases/p1`, { method: 'PUT', body: 'hello', headers: { 'content-type': 'text/plain' } });
    expect(res.statusCode).toBe(200);
    expect(res.headers['x-single']).toBe('one');
    expect(res.headers['set-cookie']).toEqual(['a=1', 'b=2']);
    // Same key in both: only the multiValueHeaders values, as API Gateway merges them.
    expect(res.headers['x-both']).toEqual(['m1', 'm2']);
    expect(res.headers['x-amzn-requestid']).toBeTruthy();
    const event = (await res.body.json()) as Record<string, unknown>;
    expect(event).toMatchObject({ httpMethod: 'PUT', body: 'hello', isBase64Encoded: false, resource: '/purchases/{id}' });
  });

  it('base64-encodes binary media types both ways, and accepts the stage prefix', async () => {
    const res = await request(`${router.url}/prod/files/x.bin`, {
      method: 'POST',
      body: Buffer.from([1, 2, 3]),
      headers: { 'content-type': 'application/octet-stream' },
    });
    const event = (await res.body.json()) as Record<string, unknown>;
    expect(event).toMatchObject({ body: 'AQID', isBase64Encoded: true, path: '/files/x.bin', pathParameters: { proxy: 'x.bin' } });
    const bin = await request(`${router.url}/files/x.bin?mode=binary`);
    expect(bin.statusCode).toBe(201);
    expect([...Buffer.from(await bin.body.arrayBuffer())]).toEqual([0, 1, 2, 255]);
  });

  it("answers with API Gateway's own errors: unknown route, unsigned IAM route, Lambda error, malformed response", async () => {
    const unknown = await request(`${router.url}/nowhere`);
    expect(unknown.statusCode).toBe(403);
    expect(await unknown.body.json()).toEqual({ message: 'Missing Authentication Token' });
    const unsigned = await request(`${router.url}/purchases`, { method: 'POST', body: '{}' });
    expect(unsigned.statusCode).toBe(403);
    await unsigned.body.dump();
    const signed = await request(`${router.url}/purchases`, {
      method: 'POST',
      body: '{}',
      headers: { authorization: 'AWS4-HMAC-SHA256 Credential=AKIDLOCAL/20260101/us-east-1/execute-api/aws4_request, SignedHeaders=host, Signature=abc' },
    });
    expect(signed.statusCode).toBe(200);
    expect(((await signed.body.json()) as { requestContext: { identity: Record<string, unknown> } }).requestContext.identity).toMatchObject({
      accessKey: 'AKIDLOCAL',
      userArn: 'arn:aws:iam::123456789012:user/local-AKIDLOCAL',
    });
    for (const mode of ['throw', 'malformed']) {
      const res = await request(`${router.url}/purchases/p1?mode=${mode}`);
      expect(res.statusCode).toBe(502);
      expect(await res.body.json()).toEqual({ message: 'Internal server error' });
    }
  });

  it('answers CORS preflight from a MOCK integration', async () => {
    const res = await request(`${router.url}/purchases`, { method: 'OPTIONS' });
    expect(res.statusCode).toBe(204);
    expect(res.headers['access-control-allow-origin']).toBe('*');
    await res.body.dump();
  });
});
