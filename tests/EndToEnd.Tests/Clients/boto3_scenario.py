"""boto3 (with botocore's current ECS model) drives the control plane's ECS API: waiters, a paginator, idempotency.

Run by Boto3Tests with ORCH_ECS_ENDPOINT, ORCH_ECS_CLUSTER and the access key in AWS_ACCESS_KEY_ID /
AWS_SECRET_ACCESS_KEY. Prints one JSON line of what it saw; any failed check raises (exit code 1).
"""
import json
import os
import sys
import urllib.request

import boto3
import botocore
from botocore.config import Config

endpoint = os.environ["ORCH_ECS_ENDPOINT"]
cluster = os.environ["ORCH_ECS_CLUSTER"]
example = os.environ["ORCH_EXAMPLE_TASK_DEFINITION"]
ecs = boto3.client("ecs", endpoint_url=endpoint, region_name="us-east-1",
                   config=Config(retries={"max_attempts": 2, "mode": "standard"}, connect_timeout=5, read_timeout=30))
fast = {"Delay": 1, "MaxAttempts": 120}
seen = {"botocore": botocore.__version__}


def check(condition, what):
    if not condition:
        raise AssertionError(what)


with open(example, encoding="utf-8") as f:
    definition = json.load(f)
ecs.register_task_definition(**definition)

# A paginator over ListTaskDefinitionFamilies, one family a page.
for i in range(5):
    ecs.register_task_definition(family=f"boto-page{i}", containerDefinitions=[{"name": "a", "image": "local/busybox:1", "memory": 16}])
pages = list(ecs.get_paginator("list_task_definition_families").paginate(familyPrefix="boto-page", PaginationConfig={"PageSize": 2}))
families = [f for page in pages for f in page["families"]]
check(families == [f"boto-page{i}" for i in range(5)], f"paginated families {families}")
seen["pages"] = len(pages)

# RunTask (boto3 fills in clientToken itself) and the tasks_running waiter.
task = ecs.run_task(cluster=cluster, taskDefinition=definition["family"], startedBy="boto3")["tasks"][0]
ecs.get_waiter("tasks_running").wait(cluster=cluster, tasks=[task["taskArn"]], WaiterConfig=fast)
described = ecs.describe_tasks(cluster=cluster, tasks=[task["taskArn"]])["tasks"][0]
check(described["lastStatus"] == "RUNNING", described["lastStatus"])
port = described["containers"][0]["networkBindings"][0]["hostPort"]
with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=5) as page:
    body = page.read().decode()
check("Hello" in body, f"the task's page: {body!r}")
seen["taskServed"] = True

# CreateService with what current SDK users send, a 36-character token sent twice, and services_stable.
token = "boto3-0123456789abcdef0123456789abcd"
check(len(token) == 36, "token length")
create = dict(cluster=cluster, serviceName="boto", taskDefinition=definition["family"], desiredCount=2, clientToken=token,
              availabilityZoneRebalancing="DISABLED", enableExecuteCommand=False, vpcLatticeConfigurations=[],
              deploymentConfiguration={"maximumPercent": 200, "minimumHealthyPercent": 50, "strategy": "ROLLING"})
first = ecs.create_service(**create)["service"]
again = ecs.create_service(**create)["service"]
check(first["serviceArn"] == again["serviceArn"] and first["createdAt"] == again["createdAt"], "CreateService with the same token")
ecs.get_waiter("services_stable").wait(cluster=cluster, services=["boto"], WaiterConfig=fast)
service = ecs.describe_services(cluster=cluster, services=["boto"])["services"][0]
check(service["runningCount"] == 2, f"runningCount {service['runningCount']}")
check(service["availabilityZoneRebalancing"] == "DISABLED", "availabilityZoneRebalancing echoed")
seen["serviceRunning"] = service["runningCount"]

# The actions current tools call besides: service deployments and revisions, task protection, account settings,
# capacity providers (none here), DeleteTaskDefinitions.
deployments = ecs.list_service_deployments(cluster=cluster, service="boto")["serviceDeployments"]
check(deployments and deployments[0]["serviceDeploymentArn"] == service["currentServiceDeployment"], "ListServiceDeployments")
deployment = ecs.describe_service_deployments(serviceDeploymentArns=[deployments[0]["serviceDeploymentArn"]])["serviceDeployments"][0]
revision = ecs.describe_service_revisions(serviceRevisionArns=[deployment["targetServiceRevision"]["arn"]])["serviceRevisions"][0]
check(revision["taskDefinition"] == service["taskDefinition"], "DescribeServiceRevisions")
protection = ecs.get_task_protection(cluster=cluster, tasks=[task["taskArn"]])["protectedTasks"][0]
check(protection["protectionEnabled"] is False, "GetTaskProtection")
ecs.put_account_setting_default(name="containerInsights", value="enabled")
effective = ecs.list_account_settings(name="containerInsights", effectiveSettings=True)["settings"][0]
check(effective["value"] == "enabled", f"ListAccountSettings {effective}")
check(ecs.describe_capacity_providers()["capacityProviders"] == [], "DescribeCapacityProviders")
ecs.deregister_task_definition(taskDefinition="boto-page0:1")
deleted = ecs.delete_task_definitions(taskDefinitions=["boto-page0:1"])["taskDefinitions"][0]
check(deleted["status"] == "DELETE_IN_PROGRESS", f"DeleteTaskDefinitions {deleted['status']}")
seen["newerActions"] = True

# A value that asks for something this control plane does not have is refused by name, never ignored.
try:
    ecs.update_service(cluster=cluster, service="boto", availabilityZoneRebalancing="ENABLED")
    raise AssertionError("availabilityZoneRebalancing=ENABLED was accepted")
except ecs.exceptions.ClientException as e:
    seen["refusal"] = e.response["Error"]["Message"]

ecs.stop_task(cluster=cluster, task=task["taskArn"], reason="boto3 done")
ecs.get_waiter("tasks_stopped").wait(cluster=cluster, tasks=[task["taskArn"]], WaiterConfig=fast)
ecs.delete_service(cluster=cluster, service="boto", force=True)
ecs.get_waiter("services_inactive").wait(cluster=cluster, services=["boto"], WaiterConfig=fast)
seen["done"] = True
print(json.dumps(seen))
sys.exit(0)
