"""Test-only Neutron ML2 mechanism driver of the Albatross dev cloud.

There are no L2 agents in the dev cloud, so no real driver can bind a port, and Nova fails
every boot on a Neutron network with PortBindingFailed. This driver binds any port that
asks for a binding (i.e. has a binding host, as Nova sets) to its first segment, as an OVS
port that is ACTIVE at once. Never use it outside tests.
"""
from neutron_lib import constants
from neutron_lib.api.definitions import portbindings
from neutron_lib.plugins.ml2 import api


class FakeBindDriver(api.MechanismDriver):
    def initialize(self):
        pass

    @property
    def connectivity(self):
        return portbindings.CONNECTIVITY_L2

    def bind_port(self, context):
        for segment in context.segments_to_bind:
            context.set_binding(
                segment[api.ID], portbindings.VIF_TYPE_OVS,
                {portbindings.CAP_PORT_FILTER: True, portbindings.OVS_HYBRID_PLUG: False},
                status=constants.PORT_STATUS_ACTIVE)
            return
