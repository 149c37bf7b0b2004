from albatross.api.router import Route
from albatross.api.schemas.image_matrix import LIST_QUERY, MATRIX
from albatross.services import image_matrix


def list_images(req):
    q = req.query
    return image_matrix.matrix(req.rt, req.caller, source=q.get("source"), limit=q["limit"],
                               marker=q.get("marker"))


ROUTES = [
    Route("GET", "/v1/images", list_images,
          "The project's images in a source region and, per region, whether an identical "
          "copy is there (pages by image id)", policy="albatross:images:list",
          query=LIST_QUERY, response=MATRIX, tags=("images",)),
]
