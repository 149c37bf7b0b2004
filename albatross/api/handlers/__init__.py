"""One module per resource; each exports ROUTES. Handlers validate (via the route), check
policy, call one service function and shape the answer; they never talk to OpenStack."""
