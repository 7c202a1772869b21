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
