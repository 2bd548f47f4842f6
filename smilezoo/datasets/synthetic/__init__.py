"""Procedural synthetic 3D faces with expressions, written in the on-disk layouts of the real
benchmarks: BU-3DFE and Bosphorus scans, BU-4DFE, BP4D-Spontaneous and 4DME sequences (every
layout reuses :func:`synthesize_face`)."""
from .bosphorus_layout import bosphorus_scan_list, make_bosphorus
from .bp4d_layout import BP4D_TASKS, make_bp4d
from .bu3dfe_layout import (GENERATOR_VERSION, INFO_FILE, make_bu3dfe, scan_list, scan_name,
                            subject_list)
from .bu4dfe_layout import BU4DFE_FOLDERS, make_bu4dfe
from .expressions import EXPRESSION_CODES, INTENSITY_SCALE, RECIPES, au_activations
from .face_model import (AU_NAMES, NUM_LANDMARKS, FaceScan, FaceTopology, Identity, Pose,
                         au_displacement, face_topology, fan_triangulate, landmark_points,
                         neutral_depth, random_pose, sample_identity, synthesize_face)
from .fourdme_layout import FOURDME_CLASSES, make_4dme

#: layout name -> writer ``fn(out_dir, num_subjects, seed, resolution=..., workers=...,
#: overwrite=..., progress=...) -> report dict``.
LAYOUTS = {'bu3dfe': make_bu3dfe, 'bosphorus': make_bosphorus, 'bu4dfe': make_bu4dfe,
           'bp4d': make_bp4d, '4dme': make_4dme}

__all__ = [
    'AU_NAMES', 'BP4D_TASKS', 'BU4DFE_FOLDERS', 'EXPRESSION_CODES', 'FOURDME_CLASSES', 'FaceScan',
    'FaceTopology', 'GENERATOR_VERSION', 'INFO_FILE', 'INTENSITY_SCALE', 'Identity', 'LAYOUTS',
    'NUM_LANDMARKS', 'Pose', 'RECIPES', 'au_activations', 'au_displacement', 'bosphorus_scan_list',
    'face_topology', 'fan_triangulate', 'landmark_points', 'make_4dme', 'make_bosphorus',
    'make_bp4d', 'make_bu3dfe', 'make_bu4dfe', 'neutral_depth', 'random_pose', 'sample_identity',
    'scan_list', 'scan_name', 'subject_list', 'synthesize_face'
]
