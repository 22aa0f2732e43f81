"""Images come only from inside a parse result: a worker's archive (RunPod) or an output folder."""

import json
from pathlib import Path

from specmill.parse.result_images import image_inside
from specmill.parse.runpod_result import refused_images, result_blocks


def test_image_inside_accepts_only_relative_image_paths_that_stay_in_the_folder(tmp_path: Path):
    (tmp_path / "images").mkdir()
    assert image_inside(tmp_path, "images/a.jpg") == (tmp_path / "images" / "a.jpg").resolve()
    assert image_inside(tmp_path, "images/../images/a.PNG") is not None  # '..' that stays inside is harmless
    for refused in ("/etc/passwd", "../../../../etc/hostname", "images/../../x.png", "/tmp/x.png", "images/a.txt", "a\x00.png"):
        assert image_inside(tmp_path, refused) is None, refused
    outside = tmp_path.parent / f"{tmp_path.name}-outside.png"
    (tmp_path / "images" / "out.png").symlink_to(outside)
    assert image_inside(tmp_path, "images/out.png") is None


def test_a_worker_result_naming_files_outside_its_archive_gets_them_refused_not_read():
    items = [
        {"type": "image", "img_path": "images/fig.jpg", "page_idx": 3},
        {"type": "image", "img_path": "/etc/passwd", "page_idx": 3},
        {"type": "image", "img_path": "../../../../etc/hostname", "page_idx": 4},
        {"type": "image", "img_path": "images/not-sent.jpg", "page_idx": 4},  # images not requested: no warning
    ]
    files = {"b00_content_list.json": json.dumps(items).encode(), "images/fig.jpg": b"\xff\xd8jpeg"}

    blocks = result_blocks(files, "b00")

    assert blocks[0].img_path.startswith("data:image/jpeg;base64,")
    warnings = refused_images(blocks)
    assert len(warnings) == 2
    assert "page 3: image '/etc/passwd' refused" in warnings[0]
    assert "page 4: image '../../../../etc/hostname' refused" in warnings[1]
