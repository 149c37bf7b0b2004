"""The attacker's matrix (tests/integration/test_attack_matrix.py) covers every route: a new
route without a case fails here, before any dev cloud is needed."""
from albatross.api.deploy import all_routes
from tests.integration import attack_cases


def test_every_route_has_an_attack_case():
    assert attack_cases.unclassified(all_routes()) == []


def test_every_path_parameter_has_a_value():
    a = {"project_id": "p", "job_id": "j", "policy_id": "po", "rollout_id": "r",
         "image_id": "i"}
    for route in all_routes():
        attack_cases.fill(route.path, a)  # KeyError names the parameter without a case
