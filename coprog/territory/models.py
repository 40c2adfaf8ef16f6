"""The territory of an authority, loaded from a preset file (see presets/)."""

from __future__ import annotations

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db


class Authority(db.Model):
    """A public administration running procedures (e.g. AUSL di Bologna, its DSM-DP)."""

    __tablename__ = "authorities"
    public_content = True  # changes invalidate the cached public pages

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(60), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    short_name: Mapped[str] = mapped_column(String(60))
    department: Mapped[str | None] = mapped_column(String(200))
    fiscal_code: Mapped[str | None] = mapped_column(String(16))
    website: Mapped[str | None] = mapped_column(String(200))
    email: Mapped[str | None] = mapped_column(String(254))
    pec: Mapped[str | None] = mapped_column(String(254))
    address: Mapped[str | None] = mapped_column(String(300))

    districts: Mapped[list[District]] = relationship(
        back_populates="authority", order_by="District.position"
    )
    axes: Mapped[list[Axis]] = relationship(back_populates="authority", order_by="Axis.position")


class District(db.Model):
    """A distretto socio-sanitario (ambito distrettuale)."""

    __tablename__ = "districts"
    public_content = True  # changes invalidate the cached public pages
    __table_args__ = (UniqueConstraint("authority_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    authority_id: Mapped[int] = mapped_column(ForeignKey("authorities.id", ondelete="CASCADE"))
    code: Mapped[str] = mapped_column(String(40))
    name: Mapped[str] = mapped_column(String(120))
    position: Mapped[int] = mapped_column(default=0)

    authority: Mapped[Authority] = relationship(back_populates="districts")
    comuni: Mapped[list[Comune]] = relationship(back_populates="district", order_by="Comune.name")
    sub_areas: Mapped[list[SubArea]] = relationship(
        back_populates="district", order_by="SubArea.position"
    )


class SubArea(db.Model):
    """A part of a district used for the tables (e.g. Bologna Est / Bologna Ovest)."""

    __tablename__ = "sub_areas"
    public_content = True  # changes invalidate the cached public pages
    __table_args__ = (UniqueConstraint("district_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    district_id: Mapped[int] = mapped_column(ForeignKey("districts.id", ondelete="CASCADE"))
    code: Mapped[str] = mapped_column(String(40))
    name: Mapped[str] = mapped_column(String(120))
    description: Mapped[str | None] = mapped_column(Text)
    position: Mapped[int] = mapped_column(default=0)

    district: Mapped[District] = relationship(back_populates="sub_areas")


class Comune(db.Model):
    __tablename__ = "comuni"
    public_content = True  # changes invalidate the cached public pages

    id: Mapped[int] = mapped_column(primary_key=True)
    istat_code: Mapped[str] = mapped_column(String(6), unique=True)
    name: Mapped[str] = mapped_column(String(120), index=True)
    province: Mapped[str | None] = mapped_column(String(2))
    district_id: Mapped[int] = mapped_column(ForeignKey("districts.id", ondelete="CASCADE"))

    district: Mapped[District] = relationship(back_populates="comuni")


class Axis(db.Model):
    """An axis (asse) of intervention: Abitare, Socialità, Formazione/Lavoro…"""

    __tablename__ = "axes"
    public_content = True  # changes invalidate the cached public pages
    __table_args__ = (UniqueConstraint("authority_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    authority_id: Mapped[int] = mapped_column(ForeignKey("authorities.id", ondelete="CASCADE"))
    code: Mapped[str] = mapped_column(String(40))
    name: Mapped[str] = mapped_column(String(120))
    description: Mapped[str | None] = mapped_column(Text)
    position: Mapped[int] = mapped_column(default=0)

    authority: Mapped[Authority] = relationship(back_populates="axes")


class ServiceCentre(db.Model):
    """A service that takes people in care: CSM, NPIA unit, SerDP."""

    __tablename__ = "service_centres"
    public_content = True  # changes invalidate the cached public pages
    __table_args__ = (UniqueConstraint("authority_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    authority_id: Mapped[int] = mapped_column(ForeignKey("authorities.id", ondelete="CASCADE"))
    code: Mapped[str] = mapped_column(String(60))
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(20))
    district_id: Mapped[int | None] = mapped_column(ForeignKey("districts.id", ondelete="SET NULL"))
    sub_area_id: Mapped[int | None] = mapped_column(ForeignKey("sub_areas.id", ondelete="SET NULL"))

    district: Mapped[District | None] = relationship()
    sub_area: Mapped[SubArea | None] = relationship()
    user_counts: Mapped[list[CentreUserCount]] = relationship(
        back_populates="centre", order_by="CentreUserCount.year", cascade="all, delete-orphan"
    )


class CentreUserCount(db.Model):
    """People with a Budget di Salute in care at a centre, per year (seed 002)."""

    __tablename__ = "centre_user_counts"
    public_content = True  # changes invalidate the cached public pages
    __table_args__ = (UniqueConstraint("centre_id", "year"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    centre_id: Mapped[int] = mapped_column(ForeignKey("service_centres.id", ondelete="CASCADE"))
    year: Mapped[int]
    users: Mapped[int]
    source: Mapped[str | None] = mapped_column(String(200))

    centre: Mapped[ServiceCentre] = relationship(back_populates="user_counts")
