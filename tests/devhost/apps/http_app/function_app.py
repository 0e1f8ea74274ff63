"""HTTP triggers exercising routes, methods, auth levels, async, errors and a queue output."""

import asyncio
import json

import azure.functions as func

app = func.FunctionApp(http_auth_level=func.AuthLevel.ANONYMOUS)


@app.route(route="items/{id:int}", methods=[func.HttpMethod.GET])
def get_item(req: func.HttpRequest) -> func.HttpResponse:
    return func.HttpResponse(json.dumps(dict(req.route_params)), mimetype="application/json")


@app.route(route="items/{id:int}/tags/{tag?}", methods=["GET"])
def item_tag(req: func.HttpRequest) -> func.HttpResponse:
    return func.HttpResponse(json.dumps(dict(req.route_params)), mimetype="application/json")


@app.route(route="files/{*rest}", methods=["GET"])
def files(req: func.HttpRequest) -> func.HttpResponse:
    return func.HttpResponse(json.dumps(dict(req.route_params)), mimetype="application/json")


@app.route(route="secure", auth_level=func.AuthLevel.FUNCTION)
def secure(req: func.HttpRequest) -> str:
    return "secret"


@app.route(route="master", auth_level=func.AuthLevel.ADMIN)
def master(req: func.HttpRequest) -> str:
    return "master"


@app.function_name(name="AsyncHello")
@app.route(route="hello/{name:alpha}", methods=["GET"])
async def hello(req: func.HttpRequest) -> func.HttpResponse:
    await asyncio.sleep(0.01)
    return func.HttpResponse(f"hello {req.route_params['name']}")


@app.route(route="echo")
def echo(req: func.HttpRequest) -> func.HttpResponse:
    body = {"method": req.method, "body": req.get_body().decode(), "q": req.params.get("q")}
    response = func.HttpResponse(json.dumps(body), status_code=201, mimetype="application/json")
    response.headers.add("Set-Cookie", "a=1")
    response.headers.add("Set-Cookie", "b=2")
    return response


@app.route(route="boom")
def boom(req: func.HttpRequest) -> func.HttpResponse:
    raise RuntimeError("kaboom")


@app.route(route="enqueue", methods=["POST"])
@app.queue_output(arg_name="out", queue_name="%OUT_QUEUE%", connection="Storage")
def enqueue(req: func.HttpRequest, out: func.Out[list[str]], context: func.Context) -> str:
    out.set([req.get_body().decode(), "second"])
    return context.invocation_id
