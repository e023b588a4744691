"""The enterprise registry (cơ sở dữ liệu doanh nghiệp) with investment projects (dự án đầu tư)."""
