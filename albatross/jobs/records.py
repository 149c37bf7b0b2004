"""What a task's reconciler records as it goes, kept the same way for every type (the
executor hands it to each task as ctx.records): source -> target mappings, written object by
object as soon as each target object exists (so that a re-run adopts it instead of creating
it twice), the drift an audit found, and a region an audit could not read."""
from albatross.db.mappings import MappingStore
from albatross.db.policies import record_drift, record_unreachable


class Records:
    def __init__(self, db_url: str, *, task_id: str, project_id: str, source_region: str,
                 target_region: str):
        self.db_url, self.task_id, self.project_id = db_url, task_id, project_id
        self.source_region, self.target_region = source_region, target_region

    def mappings(self, resource_type: str, owner: str) -> MappingStore:
        """The mappings of `owner`'s objects of this type, from the task's source region to
        its target region."""
        return MappingStore(self.db_url, resource_type, owner, self.project_id,
                            self.source_region, self.target_region)

    def drift(self, *, policy_id: str, resource_type: str, items, repaired: bool) -> None:
        record_drift(self.db_url, project_id=self.project_id, policy_id=policy_id,
                     task_id=self.task_id, region=self.target_region,
                     resource_type=resource_type, items=items, repaired=repaired)

    def unreachable(self, *, policy_id: str, resource_type: str, message: str) -> None:
        record_unreachable(self.db_url, project_id=self.project_id, policy_id=policy_id,
                           task_id=self.task_id, region=self.target_region,
                           resource_type=resource_type, message=message)
