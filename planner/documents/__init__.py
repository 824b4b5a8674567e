"""Accessible documents: every PDF planner writes is a tagged PDF/UA-1 (language, title as window
title, headings, lists and tables as structure, charts as figures with alternative text and their
data table). See `pdf.py`.
"""
