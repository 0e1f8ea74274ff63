"""Queue triggers: one that always fails, one that echoes to an output queue, one slow one."""

import os
import time

import azure.functions as func
from recorder import record

app = func.FunctionApp()


@app.queue_trigger(arg_name="msg", queue_name="%FAIL_QUEUE%", connection="AzureWebJobsStorage")
def always_fails(msg: func.QueueMessage) -> None:
    record("fail", body=msg.get_body().decode(), dequeue_count=msg.dequeue_count)
    raise RuntimeError("always fails")


@app.queue_trigger(arg_name="msg", queue_name="%ECHO_QUEUE%", connection="")
@app.queue_output(arg_name="out", queue_name="%OUT_QUEUE%", connection="Storage")
def echo(msg: func.QueueMessage, out: func.Out[str]) -> None:
    body = msg.get_body().decode()
    record("echo", body=body, dequeue_count=msg.dequeue_count, message_id=msg.id)
    out.set(body.upper())


@app.queue_trigger(arg_name="msg", queue_name="%SLOW_QUEUE%", connection="Storage")
def slow(msg: func.QueueMessage) -> None:
    record("slow-start", body=msg.get_body().decode())
    time.sleep(float(os.environ.get("SLOW_SECONDS", "2")))
    record("slow-done", body=msg.get_body().decode())


@app.queue_trigger(arg_name="msg", queue_name="never-polled", connection="")
def switched_off(msg: func.QueueMessage) -> None:
    record("switched-off", body=msg.get_body().decode())
