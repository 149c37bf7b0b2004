"""Glance reads and writes for image sync, through openstacksdk's Image resource."""
from openstack import exceptions as sdk_exc
from openstack.image.v2 import image as _image

from albatross.images.meta import ImageState, state_from_raw

CHUNK = 1024 * 1024


def raw_image(img) -> dict:
    """The flat dict Glance sent: core fields and custom properties side by side (the SDK
    keeps unknown properties apart)."""
    attrs = dict(img._body.attributes)
    props = attrs.pop("properties", None) or {}
    return {**props, **attrs}


def list_raw(conn, **filters) -> list[dict]:
    """Glance's flat image dicts for a listing (every page)."""
    return [raw_image(img) for img in conn.image.images(**filters)]


def member_status(conn, image_id: str, project_id: str) -> str | None:
    """The project's membership of a shared image (accepted, pending, rejected), None if it
    is no member."""
    try:
        return conn.image.get_member(project_id, image_id).status
    except sdk_exc.NotFoundException:
        return None


def read_image(conn, image_id: str) -> ImageState | None:
    try:
        return state_from_raw(raw_image(conn.image.get_image(image_id)))
    except sdk_exc.NotFoundException:
        return None


def create_record(conn, fields: dict, *, image_id: str | None, owner: str | None) -> str:
    """An image record without data (status queued); the upload follows."""
    attrs = dict(fields)
    if image_id:
        attrs["id"] = image_id
    if owner:
        attrs["owner"] = owner
    return _image.Image.new(**attrs).create(conn.image).id


def upload(conn, image_id: str, data, size: int | None) -> None:
    """Stream `data` (an iterator of bytes) into the image; Glance answers when the image is
    ACTIVE. The SDK returns the response without raising: check it here."""
    resp = _image.Image.existing(id=image_id).upload(conn.image, data=data, size=size)
    sdk_exc.raise_from_response(resp)


def download(conn, image_id: str):
    """The raw (unverified) streamed response; the caller hashes what it reads."""
    resp = conn.image.download_image(image_id, stream=True)
    return resp


_BODY_TO_ATTRIBUTE = _image.Image._body_mapping()  # e.g. "protected" -> "is_protected"


def update_fields(conn, image_id: str, changes: dict, removed: list[str]) -> int:
    """Make the image carry `changes` and lose the custom properties `removed`; returns the
    calls made. Tags have their own API (Glance refuses a JSON patch of /tags/N); known fields
    are SDK attributes; everything else is a custom property."""
    img = conn.image.get_image(image_id)
    calls = 0
    if "tags" in changes:
        have, want = set(img.tags or ()), set(changes["tags"])
        for tag in sorted(want - have):
            conn.image.add_tag(image_id, tag)
            calls += 1
        for tag in sorted(have - want):
            conn.image.remove_tag(image_id, tag)
            calls += 1
    props = dict(img.properties or {})
    kwargs = {}
    for key, value in changes.items():
        if key == "tags":
            continue
        attr = _BODY_TO_ATTRIBUTE.get(key)
        if attr:
            kwargs[attr] = value
        else:
            props[key] = value
    for key in removed:
        if _BODY_TO_ATTRIBUTE.get(key):
            kwargs[_BODY_TO_ATTRIBUTE[key]] = None
        props.pop(key, None)
    if kwargs or props != (img.properties or {}):
        conn.image.update_image(img, properties=props, **kwargs)
        calls += 1
    return calls


def set_hidden(conn, image_id: str, hidden: bool) -> None:
    conn.image.update_image(image_id, is_hidden=hidden)


def delete_image(conn, image_id: str) -> None:
    """Delete, unprotecting first if needed; a missing image is fine."""
    try:
        img = conn.image.get_image(image_id)
    except sdk_exc.NotFoundException:
        return
    if img.is_protected:
        conn.image.update_image(image_id, is_protected=False)
    conn.image.delete_image(image_id, ignore_missing=True)
