from django.db import models


class Region(models.TextChoices):
    EAST_MIDLANDS = "east_midlands", "East Midlands"
    EAST_OF_ENGLAND = "east_of_england", "East of England"
    LONDON = "london", "London"
    NORTH_EAST = "north_east", "North East"
    NORTH_WEST = "north_west", "North West"
    SOUTH_EAST = "south_east", "South East"
    SOUTH_WEST = "south_west", "South West"
    WEST_MIDLANDS = "west_midlands", "West Midlands"
    YORKSHIRE_AND_THE_HUMBER = "yorkshire_and_the_humber", "Yorkshire and the Humber"


class OrganisationKind(models.TextChoices):
    LGA = "lga", "Local Government Association"
    COUNCIL = "council", "Council"
    PARTNER_HEALTH = "partner_health", "Health partner"
    PARTNER_POLICE = "partner_police", "Police"
    SCHOOL_SETTING = "school_setting", "School or setting"
    VCS = "vcs", "Voluntary and community sector"
    PCF = "pcf", "Parent carer forum"
    OTHER = "other", "Other partner"


class Seniority(models.TextChoices):
    DCS = "dcs", "Director of Children's Services"
    AD = "ad", "Assistant director"
    HEAD_OF_SERVICE = "head_of_service", "Head of service"
    SERVICE_MANAGER = "service_manager", "Service or team manager"
    PRACTITIONER = "practitioner", "Senior practitioner"


# Only these may lead a peer team (R1).
LEAD_SENIORITY = frozenset({Seniority.DCS, Seniority.AD})


class Expertise(models.TextChoices):
    SAFEGUARDING = "safeguarding", "Safeguarding"
    SEND = "send", "SEND"
    EARLY_YEARS = "early_years", "Early years"
    EARLY_HELP = "early_help", "Early help"
    FRONT_DOOR = "front_door", "Front door and MASH"
    CHILD_PROTECTION = "child_protection", "Child protection"
    CHILDREN_IN_CARE = "children_in_care", "Children in care"
    CARE_LEAVERS = "care_leavers", "Care leavers"
    QUALITY_ASSURANCE = "quality_assurance", "Quality assurance"
    WORKFORCE = "workforce", "Workforce"
    PARTNERSHIPS = "partnerships", "Partnerships"
    LEADERSHIP = "leadership", "Leadership and governance"
    YOUTH_JUSTICE = "youth_justice", "Youth justice and exploitation"
    COMMISSIONING = "commissioning", "Commissioning and sufficiency"


class PeerRoleOffer(models.TextChoices):
    LEAD_PEER = "lead_peer", "Lead peer"
    OPERATIONAL_MANAGER = "operational_manager", "Operational manager"
    CASE_AUDITOR = "case_auditor", "Case auditor"
