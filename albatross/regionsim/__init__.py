"""A region simulator for scale and WAN benchmarks (issue 17, docs/decisions/0005): one
process answers as N regions' Nova, Cinder, Neutron, Glance and Placement, for the calls
Albatross makes, each region with its own state, round-trip time, error rate, outage switch
and image bandwidth. Functional tests stay on
the real dev cloud; a contract test holds the simulator to what the real services answer."""
