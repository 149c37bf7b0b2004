from albatross.api.schemas.common import NAME, NULLABLE_STR, REGION

KIND = {"enum": ["subnet", "fixed_ip", "floating_ip", "public"]}
FORMAT = {"enum": ["json", "csv"], "default": "json"}
MAX_AGE = {"type": "integer", "minimum": 0, "maximum": 86400, "default": 60,
           "description": "Refresh from the regions first when the stored view is older "
                          "than this many seconds (0: always)."}

LIST_QUERY = {"region": REGION, "network_id": {"type": "string", "maxLength": 64},
              "ip_version": {"type": "integer", "enum": [4, 6]}, "kind": KIND,
              "format": FORMAT,
              "max_age": MAX_AGE}
FIND_QUERY = {"ip": {"type": "string", "anyOf": [{"format": "ipv4"}, {"format": "ipv6"}],
                     "maxLength": 64},
              "mac": {"type": "string",
                      "pattern": "^[0-9A-Fa-f]{2}([:-][0-9A-Fa-f]{2}){5}$"},
              "max_age": MAX_AGE}

# Names are Neutron's, for people ("" when the object has none or, for a network of another
# project, when it is not known); every id stays, and matching is by id only.
_NAME = {"type": "string"}
ROW = {"type": "object", "required": ["kind", "region", "address"],
       "properties": {"kind": {"type": "string"}, "region": {"type": "string"},
                      "network_id": NULLABLE_STR, "object_id": {"type": "string"},
                      "address": NULLABLE_STR, "ip_version": {"type": "integer"},
                      "mac": NULLABLE_STR, "device_owner": NULLABLE_STR,
                      "device_id": NULLABLE_STR, "fixed_ip": NULLABLE_STR,
                      "seen_at": NULLABLE_STR,
                      "name": {**_NAME, "description": "the subnet's, port's or router's "
                               "name; a floating IP's description"},
                      "network_name": _NAME}}
ADDRESS_LIST = {"type": "object", "required": ["addresses"],
                "properties": {"addresses": {"type": "array", "items": ROW}}}
SIDE = {"type": "object", "required": ["region", "project_id"],
        "description": "One record of a conflict: a subnet (subnet_id, cidr), a port "
                       "(port_id, device; subnet_id of the fixed IP in question), a floating "
                       "IP (fip_id) or a router gateway (router_id), with Neutron's names",
        "properties": {"region": {"type": "string"}, "project_id": NULLABLE_STR,
                       "network_id": NULLABLE_STR, "network_name": _NAME,
                       "subnet_id": {"type": "string"}, "subnet_name": _NAME,
                       "cidr": {"type": "string"},
                       "port_id": NULLABLE_STR, "port_name": _NAME,
                       "device_owner": {"type": "string"}, "device_id": {"type": "string"},
                       "fip_id": {"type": "string"}, "fixed_ip": NULLABLE_STR,
                       "description": _NAME,
                       "router_id": {"type": "string"}, "router_name": _NAME}}
CONFLICT = {"type": "object", "required": ["kind", "key", "side_a", "side_b"],
            "properties": {"kind": {"type": "string"}, "key": {"type": "string"},
                           "side_a": SIDE, "side_b": SIDE,
                           "group": NULLABLE_STR}}
CONFLICT_LIST = {"type": "object", "required": ["conflicts"],
                 "properties": {"conflicts": {"type": "array", "items": CONFLICT}}}
SUMMARY = {"type": "object", "required": ["subnets"],
           "properties": {"subnets": {"type": "array", "items": {"type": "object"}}}}
REFRESH = {"type": "object", "required": ["regions"],
           "properties": {"regions": {"type": "object"}}}
EXTERNAL = {"type": "object", "required": ["floating_ips", "router_gateways", "conflicts"],
            "properties": {"floating_ips": {"type": "array", "items": {
                               "type": "object", "properties": {
                                   "region": {"type": "string"},
                                   "project_id": NULLABLE_STR,
                                   "fip_id": {"type": "string"},
                                   "floating_ip": {"type": "string"},
                                   "fixed_ip": NULLABLE_STR, "port_id": NULLABLE_STR,
                                   "floating_network_id": {"type": "string"},
                                   "description": _NAME}}},
                           "router_gateways": {"type": "array", "items": {
                               "type": "object", "properties": {
                                   "region": {"type": "string"},
                                   "project_id": NULLABLE_STR,
                                   "router_id": {"type": "string"},
                                   "network_id": {"type": "string"},
                                   "ips": {"type": "array", "items": {"type": "string"}},
                                   "name": _NAME}}},
                           "conflicts": {"type": "array", "items": CONFLICT},
                           "unreachable": {"type": "object"}}}

CIDR = {"type": "string", "minLength": 3, "maxLength": 64, "pattern": "^[0-9A-Fa-f:.]+/[0-9]+$"}
PLAN = {
    "type": "object", "additionalProperties": False, "required": ["supernets"],
    "properties": {
        "supernets": {"type": "array", "items": CIDR, "minItems": 1, "maxItems": 100},
        "groups": {"type": "object", "maxProperties": 10000,
                   "additionalProperties": {"type": "string", "minLength": 1,
                                            "maxLength": 255},
                   "description": "network id -> connectivity group name; networks not "
                                  "named form the project's default group"}}}
PLAN_VIEW = {"type": "object", "required": ["supernets"],
             "properties": {"project_id": {"type": "string"},
                            "supernets": {"type": "array", "items": {"type": "string"}},
                            "groups": {"type": "object"}}}
ALLOCATE = {
    "type": "object", "additionalProperties": False,
    "required": ["region", "network_id", "prefix_length"],
    "properties": {"region": REGION, "network_id": {"type": "string", "minLength": 1,
                                                    "maxLength": 64},
                   "prefix_length": {"type": "integer", "minimum": 1, "maximum": 128},
                   "ip_version": {"enum": [4, 6], "default": 4}, "name": NAME}}
ALLOCATION = {"type": "object", "required": ["cidr", "subnet_id"],
              "properties": {"cidr": {"type": "string"}, "region": {"type": "string"},
                             "network_id": {"type": "string"}, "subnet_id": {"type": "string"},
                             "ip_version": {"type": "integer"}, "group": {"type": "string"}}}
