//! Our tree models as LightGBM text models (written below).
